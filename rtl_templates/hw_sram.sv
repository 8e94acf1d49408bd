// hw_sram — behavioural single-clock SRAM macro: one write port, one read port, synchronous read (data appears
// the cycle after re_i), optional per-byte write enables, optional initial image ($readmemh, one word per line).
//
// This module is the macro boundary: synthesis treats it as a black box (yosys `read_verilog -lib`) and area comes
// from the SRAM model in docs, never from flip-flops. Weights and tables live in images, never in RTL text.
// Contract: rdata_o holds its value until the next cycle with re_i; a read and a write of the same address in one
// cycle return the old word.
module hw_sram #(
  parameter int unsigned WIDTH   = 8,    // bits per word
  parameter int unsigned DEPTH   = 256,  // words
  parameter int unsigned BYTE_EN = 0,    // 1: wbe_i selects bytes (WIDTH must be a multiple of 8)
  parameter              INIT_FILE = ""  // hex image read with $readmemh; "" leaves the memory uninitialized
) (
  input  logic                          clk_i,
  input  logic                          we_i,
  input  logic [AddrW-1:0]              waddr_i,
  input  logic [WIDTH-1:0]              wdata_i,
  input  logic [NumBytes-1:0]           wbe_i,
  input  logic                          re_i,
  input  logic [AddrW-1:0]              raddr_i,
  output logic [WIDTH-1:0]              rdata_o
);
  localparam int unsigned AddrW = (DEPTH > 1) ? $clog2(DEPTH) : 1;
  localparam int NumBytes = (WIDTH + 7) / 8;

  if (WIDTH < 1 || DEPTH < 1) begin : gen_check_size
    $error("hw_sram: WIDTH and DEPTH must be positive");
  end
  if (BYTE_EN > 1 || (BYTE_EN == 1 && WIDTH % 8 != 0)) begin : gen_check_byte_en
    $error("hw_sram: BYTE_EN is 0 or 1, and 1 needs WIDTH to be a multiple of 8");
  end

  logic [WIDTH-1:0] mem [DEPTH];

  initial begin
    if (INIT_FILE != "") $readmemh(INIT_FILE, mem);
  end

  if (BYTE_EN == 1) begin : gen_byte_write
    for (genvar b = 0; b < NumBytes; b++) begin : gen_byte
      always_ff @(posedge clk_i) begin
        if (we_i && wbe_i[b]) mem[waddr_i][b*8 +: 8] <= wdata_i[b*8 +: 8];
      end
    end
  end else begin : gen_word_write
    always_ff @(posedge clk_i) begin
      if (we_i) mem[waddr_i] <= wdata_i;
    end
    logic unused_wbe;
    assign unused_wbe = ^wbe_i;
  end

  always_ff @(posedge clk_i) begin
    if (re_i) rdata_o <= mem[raddr_i];
  end
endmodule
