// hw_core_requant_lane — one lane of a V-wide requantizer: an accumulator requantized with its parameter word
// ({out_bits[45:40], rshift[36:31], mult[30:0]}) and saturated to its out_bits (numerics §3); the width follows the
// value through hw_requant's two stages. hw_core_matvec_requant (a ROM word per channel) and hw_core_attention (PV's
// results: the instruction's word) instantiate V of these, so synthesis maps one lane and counts it.
module hw_core_requant_lane #(
  parameter int unsigned ACC_W = 32
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             valid_i,   // acc_i and param_i hold this beat's channel
  input  logic [ACC_W-1:0] acc_i,
  input  logic [45:0]      param_i,
  output logic             valid_o,
  output logic [31:0]      result_o
);
  logic [5:0]  bits_q, bits_qq;
  logic        ready_unused;
  logic [31:0] y;
  always_ff @(posedge clk_i) begin
    if (valid_i) bits_q <= param_i[45:40];
    bits_qq <= bits_q;
  end
  hw_requant #(.ACC_W(ACC_W), .OUT_W(32)) u_requant (
    .clk_i, .rst_ni,
    .in_valid_i(valid_i), .in_ready_o(ready_unused), .acc_i, .mult_i(param_i[30:0]), .rshift_i(param_i[36:31]),
    .out_valid_o(valid_o), .out_ready_i(1'b1), .y_o(y));
  assign result_o = hw_core_pkg::sat_to({y[31], y}, bits_qq);

  logic unused;
  assign unused = ^{ready_unused, param_i[39:37]};
endmodule
