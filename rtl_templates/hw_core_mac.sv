// hw_core_mac — hw_core's scalar multiply-accumulate (EMBED, SWIGLU where the scratchpad has one element per word).
//
// Pairs (a, b) with first/last marks come from the element stream (each pop while EMBED or SWIGLU runs): EMBED
// accumulates 1 * b, SWIGLU silu_l(a) * b (the SiLU ROM of all layers is inside, layer l at words l*256, each word
// a pair {SILU[i+1], SILU[i]} that hw_core_silu_interp interpolates between; numerics §11). A group (first .. last) gives one sum: acc_valid_o for a cycle with acc_o, two cycles after its last
// pair. Throughput: one pair per cycle.
module hw_core_mac #(
  parameter int unsigned MAC_ACC_W = 40,
  parameter int unsigned N_LAYERS  = 2,
  parameter int unsigned LAYER_W   = 1,   // bits of silu_layer_i
  parameter int unsigned GATE_W    = 16,  // gate width (numerics §11): 8 or 16
  parameter              SILU_FILE = "mem/silu.hex",
  parameter int unsigned SWIGLU    = 1    // SWIGLU runs here (0: hw_core_elementwise has it, no SiLU ROM here)
) (
  input  logic                        clk_i,
  input  logic                        rst_ni,
  input  logic                        embed_i,
  input  logic                        swiglu_i,
  input  logic [LAYER_W-1:0]          silu_layer_i,
  // element pairs: the element stream's pop (EMBED, SWIGLU take it)
  input  logic                        elem_pop_i,
  input  logic                        pair_first_i,
  input  logic                        pair_last_i,
  input  logic signed [16:0]          pair_a_i,
  input  logic signed [16:0]          pair_b_i,
  // sums
  output logic                        acc_valid_o,
  output logic signed [MAC_ACC_W-1:0] acc_o
);
  localparam int unsigned SiluAddrW = $clog2(N_LAYERS * 256);
  if (MAC_ACC_W < 34 || MAC_ACC_W > 64 || (GATE_W != 8 && GATE_W != 16)) begin : gen_check_acc
    $error("hw_core_mac: MAC_ACC_W must be in 34..64 and GATE_W 8 or 16");
  end

  // Stage 1: the pair (and the SiLU table read); stage 2: accumulate.
  logic                        pair_valid_q, pair_first_q, pair_last_q, acc_valid_q;
  logic signed [16:0]          pair_a_q, pair_b_q, factor;
  logic signed [16:0]          silu;
  logic signed [33:0]          product;
  logic signed [MAC_ACC_W-1:0] acc_q, acc_d;
  logic                        pair_valid;
  assign pair_valid = elem_pop_i && (embed_i || swiglu_i);

  if (SWIGLU != 0) begin : gen_silu
    logic [31:0] silu_pair;
    hw_sram #(.WIDTH(32), .DEPTH(N_LAYERS * 256), .INIT_FILE(SILU_FILE)) u_silu (
      .clk_i, .we_i(1'b0), .waddr_i('0), .wdata_i('0), .wbe_i('0),
      .re_i(pair_valid && swiglu_i),
      .raddr_i(SiluAddrW'({32'(silu_layer_i), 8'h00} | {32'd0, pair_a_i[GATE_W-1 -: 8] ^ 8'h80})),
      .rdata_o(silu_pair));
    hw_core_silu_interp #(.FRAC_W(GATE_W - 8)) u_interp (
      .clk_i, .take_i(pair_valid), .gate_i(pair_a_i[15:0]), .pair_i(silu_pair), .silu_o(silu));
  end else begin : gen_no_silu
    assign silu = '0;
    logic unused_layer;
    assign unused_layer = ^silu_layer_i;
  end

  always_comb begin
    if (swiglu_i)     factor = silu;
    else if (embed_i) factor = 17'sd1;
    else              factor = pair_a_q;
  end
  assign product = 34'(factor) * 34'(pair_b_q);

  always_comb begin
    acc_d = acc_q;
    if (pair_valid_q) acc_d = pair_first_q ? MAC_ACC_W'(product) : acc_q + MAC_ACC_W'(product);
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pair_valid_q <= 1'b0;
      acc_valid_q  <= 1'b0;
    end else begin
      pair_valid_q <= pair_valid;
      acc_valid_q  <= pair_valid_q && pair_last_q;
    end
  end
  always_ff @(posedge clk_i) begin
    if (pair_valid) begin
      pair_a_q     <= pair_a_i;
      pair_b_q     <= pair_b_i;
      pair_first_q <= pair_first_i;
      pair_last_q  <= pair_last_i;
    end
    acc_q <= acc_d;
  end

  assign acc_valid_o = acc_valid_q;
  assign acc_o       = acc_q;
endmodule
