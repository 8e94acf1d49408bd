// hw_sram — behavioural single-clock SRAM: one write port, one read port, synchronous read (data appears the cycle
// after re_i), optional per-byte write enables, optional banking, optional initial images ($readmemh, one word per
// line).
//
// This module is the macro boundary: synthesis treats it as a black box (yosys `read_verilog -lib`) and area comes
// from the SRAM model in docs, never from flip-flops. Weights and tables live in images, never in RTL text.
//
// Banking: BANK_DEPTH = 0 gives one macro of DEPTH words, initialised from INIT_FILE. A power of two BANK_DEPTH <
// DEPTH splits the memory into ceil(DEPTH / BANK_DEPTH) macros of BANK_DEPTH words (the high address bits select
// the bank); bank b is initialised from the file "<INIT_FILE>_bank<b>.hex" (the generator writes them so).
// INIT_PART >= 0 names one of several memories sharing a prefix (the weight banks of hw_gemv): the image is then
// "<INIT_FILE>_p<INIT_PART>.hex", or "<INIT_FILE>_p<INIT_PART>_bank<b>.hex" when banked.
// Contract: rdata_o holds its value until the next cycle with re_i; a read and a write of the same address in one
// cycle return the old word; addresses at or above DEPTH are not used.
module hw_sram #(
  parameter int unsigned WIDTH      = 8,    // bits per word
  parameter int unsigned DEPTH      = 256,  // words
  parameter int unsigned BYTE_EN    = 0,    // 1: wbe_i selects bytes (WIDTH must be a multiple of 8)
  parameter int unsigned BANK_DEPTH = 0,    // words per bank (power of two), 0: a single bank
  parameter              INIT_FILE  = "",   // image (single bank) or image prefix (banked); "": uninitialised
  parameter int          INIT_PART  = -1    // >= 0: INIT_FILE is a prefix shared by several memories, this is one
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
  localparam int unsigned AddrW     = (DEPTH > 1) ? $clog2(DEPTH) : 1;
  localparam int          NumBytes  = (WIDTH + 7) / 8;
  localparam int unsigned BankDepth = (BANK_DEPTH == 0 || BANK_DEPTH >= DEPTH) ? DEPTH : BANK_DEPTH;
  localparam int          NumBanks  = (DEPTH + BankDepth - 1) / BankDepth;
  localparam int unsigned OffW      = (NumBanks > 1) ? $clog2(BankDepth) : AddrW;
  localparam int          GroupBanks = 1024;
  localparam int          NumGroups  = (NumBanks + GroupBanks - 1) / GroupBanks;

  if (WIDTH < 1 || DEPTH < 1) begin : gen_check_size
    $error("hw_sram: WIDTH and DEPTH must be positive");
  end
  if (BYTE_EN > 1 || (BYTE_EN == 1 && WIDTH % 8 != 0)) begin : gen_check_byte_en
    $error("hw_sram: BYTE_EN is 0 or 1, and 1 needs WIDTH to be a multiple of 8");
  end
  if (NumBanks > 1 && (BankDepth & (BankDepth - 1)) != 0) begin : gen_check_bank_depth
    $error("hw_sram: BANK_DEPTH must be a power of two");
  end

// Synthesis reads this module as a black box (`hardwire synth`: yosys `read_verilog -lib -DHARDWIRE_SRAM_BLACKBOX`):
// only the ports, whose widths the parameters above set, so that deriving a memory of millions of words costs
// nothing. Everything below is the behaviour that simulation and lint see.
`ifndef HARDWIRE_SRAM_BLACKBOX
  logic [NumBanks*WIDTH-1:0] bank_rdata;
  logic [NumBanks-1:0]       bank_we, bank_re;

  // Banks are generated in groups of at most GroupBanks, so that no generate loop runs more than 1,024 times
  // (Verilator's default --unroll-count) however many macros a memory has.
  for (genvar g = 0; g < NumGroups; g++) begin : gen_group
    for (genvar i = 0; i < GroupBanks && g * GroupBanks + i < NumBanks; i++) begin : gen_bank
      localparam int b = g * GroupBanks + i;  // the bank's index in the memory
      logic [WIDTH-1:0] mem [BankDepth];

      if (NumBanks == 1) begin : gen_whole
        assign bank_we[b] = we_i;
        assign bank_re[b] = re_i;
        initial begin
          if (INIT_FILE != "" && INIT_PART < 0) $readmemh(INIT_FILE, mem);
          if (INIT_FILE != "" && INIT_PART >= 0) $readmemh($sformatf("%s_p%0d.hex", INIT_FILE, INIT_PART), mem);
        end
      end else begin : gen_part
        assign bank_we[b] = we_i && waddr_i[AddrW-1:OffW] == (AddrW-OffW)'(b);
        assign bank_re[b] = re_i && raddr_i[AddrW-1:OffW] == (AddrW-OffW)'(b);
        initial begin
          if (INIT_FILE != "" && INIT_PART < 0) $readmemh($sformatf("%s_bank%0d.hex", INIT_FILE, b), mem);
          if (INIT_FILE != "" && INIT_PART >= 0)
            $readmemh($sformatf("%s_p%0d_bank%0d.hex", INIT_FILE, INIT_PART, b), mem);
        end
      end

      if (BYTE_EN == 1) begin : gen_byte_write
        for (genvar y = 0; y < NumBytes; y++) begin : gen_byte
          always_ff @(posedge clk_i) begin
            if (bank_we[b] && wbe_i[y]) mem[waddr_i[OffW-1:0]][y*8 +: 8] <= wdata_i[y*8 +: 8];
          end
        end
      end else begin : gen_word_write
        always_ff @(posedge clk_i) begin
          if (bank_we[b]) mem[waddr_i[OffW-1:0]] <= wdata_i;
        end
      end

      always_ff @(posedge clk_i) begin
        if (bank_re[b]) bank_rdata[b*WIDTH +: WIDTH] <= mem[raddr_i[OffW-1:0]];
      end
    end
  end

  if (NumBanks == 1) begin : gen_one_bank
    assign rdata_o = bank_rdata;
  end else begin : gen_bank_select
    logic [AddrW-OffW-1:0] rsel_q;  // the bank read last
    always_ff @(posedge clk_i) begin
      if (re_i) rsel_q <= raddr_i[AddrW-1:OffW];
    end
    assign rdata_o = bank_rdata[rsel_q*WIDTH +: WIDTH];
  end

  if (BYTE_EN == 0) begin : gen_unused_wbe
    logic unused_wbe;
    assign unused_wbe = ^wbe_i;
  end
`endif
endmodule
