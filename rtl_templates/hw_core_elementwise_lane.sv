// hw_core_elementwise_lane — one lane of hw_core_elementwise (docs/numerics.md §4, §11): its SiLU ROM, multiplier
// and requantizer.
//
//   EMBED:  y = sat_{out_bits}(requant(1 * e))            SWIGLU: y = sat_{out_bits}(requant(silu(gate) * up))
//
// silu(gate) (numerics §11): the gate's top 8 bits index the layer's table, i = gate[GATE_W-1 -: 8] + 128; its low
// GATE_W - 8 bits r interpolate between SILU[i] and SILU[i+1], s = SILU[i] + (((SILU[i+1] - SILU[i]) * r +
// 2^(GATE_W-9)) >>> (GATE_W - 8)). A ROM word holds the pair {SILU[i+1], SILU[i]}, so one read serves both.
// Stages (the parent's valid and mode registers drive them): the ROM read and the operand registered (word_valid_i),
// the interpolation and the product (valid_q_i), hw_requant's two. hw_core_elementwise instantiates V of these, so
// synthesis maps one lane and counts it V times.
module hw_core_elementwise_lane #(
  parameter int unsigned N_LAYERS  = 2,
  parameter int unsigned LAYER_W   = 1,
  parameter int unsigned GATE_W    = 16,  // gate width: 8 (table index only) or 16 (8 more bits interpolate)
  parameter              SILU_FILE = "mem/silu.hex"
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               word_valid_i,  // the word arrives: read the ROM, register the operand
  input  logic               swiglu_i,      // with word_valid_i: SWIGLU (else EMBED)
  input  logic               valid_q_i,     // the cycle after word_valid_i: form the product
  input  logic               swiglu_q_i,    // SWIGLU, registered with the word
  input  logic               prod_valid_i,  // the product is registered: into the requantizer
  input  logic [LAYER_W-1:0] silu_layer_i,
  input  logic [15:0]        gate_i,        // SWIGLU: the gate's low 16 bits (int GATE_W in the low GATE_W)
  input  logic [16:0]        up_i,          // SWIGLU: the up value's low 17 bits
  input  logic [7:0]         emb_i,         // EMBED: the embedding byte (int8)
  input  logic [36:0]        param_i,       // {rshift[36:31], mult[30:0]}
  input  logic [5:0]         out_bits_i,
  output logic               valid_o,
  output logic [31:0]        result_o
);
  localparam int unsigned SiluAddrW = $clog2(N_LAYERS * 256);
  if (N_LAYERS < 1 || (GATE_W != 8 && GATE_W != 16)) begin : gen_check
    $error("hw_core_elementwise_lane: N_LAYERS must be at least 1 and GATE_W 8 or 16");
  end

  logic [31:0]        silu_pair;  // {SILU[i+1], SILU[i]}
  logic signed [16:0] b_q, factor, silu;
  logic signed [33:0] prod_q;
  logic [33:0]        prod;
  hw_mul #(.A_W(17), .B_W(17)) u_mul (.a_i(factor), .b_i(b_q), .p_o(prod));
  hw_sram #(.WIDTH(32), .DEPTH(N_LAYERS * 256), .INIT_FILE(SILU_FILE)) u_silu (
    .clk_i, .we_i(1'b0), .waddr_i('0), .wdata_i('0), .wbe_i('0),
    .re_i(word_valid_i && swiglu_i),
    .raddr_i(SiluAddrW'({32'(silu_layer_i), 8'h00} | {32'd0, gate_i[GATE_W-1 -: 8] ^ 8'h80})),
    .rdata_o(silu_pair));
  hw_core_silu_interp #(.FRAC_W(GATE_W - 8)) u_interp (
    .clk_i, .take_i(word_valid_i), .gate_i, .pair_i(silu_pair), .silu_o(silu));
  always_ff @(posedge clk_i) begin
    if (word_valid_i) b_q <= swiglu_i ? $signed(up_i) : 17'($signed(emb_i));
    if (valid_q_i) prod_q <= prod;
  end
  assign factor = swiglu_q_i ? silu : 17'sd1;

  logic        ready_unused;
  logic [31:0] y;
  hw_requant #(.ACC_W(34), .OUT_W(32)) u_requant (
    .clk_i, .rst_ni,
    .in_valid_i(prod_valid_i), .in_ready_o(ready_unused), .acc_i(prod_q),
    .mult_i(param_i[30:0]), .rshift_i(param_i[36:31]),
    .out_valid_o(valid_o), .out_ready_i(1'b1), .y_o(y));
  assign result_o = hw_core_pkg::sat_to({y[31], y}, out_bits_i);

  logic unused;
  assign unused = ready_unused;
endmodule
