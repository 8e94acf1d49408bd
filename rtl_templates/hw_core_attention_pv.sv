// hw_core_attention_pv — one of hw_core_attention's DIM P . V accumulators (docs/numerics.md §9), and its place in
// the drain's shift chain:
//
//   en_i:    acc <= p * v + (first_i ? 0 : acc)      p: the head's probability (unsigned 9 bits), v: the V lane
//   shift_i: acc <= shift_in_i                       the accumulator V places up the chain (0 past the last)
//
// hw_core_attention instantiates DIM of these, so synthesis maps one accumulator and counts it DIM times; the
// drain shifts the whole row down by V lanes a beat and always reads the lowest V, so no accumulator has a
// multiplexer wider than its three inputs.
module hw_core_attention_pv #(
  parameter int unsigned ACC_W = 40
) (
  input  logic                    clk_i,
  input  logic                    en_i,
  input  logic                    first_i,
  input  logic [8:0]              p_i,
  input  logic [15:0]             v_i,
  input  logic                    shift_i,
  input  logic [ACC_W-1:0]        shift_in_i,
  output logic [ACC_W-1:0]        acc_o
);
  if (ACC_W < 26 || ACC_W > 64) begin : gen_check
    $error("hw_core_attention_pv: ACC_W must be in 26..64");
  end
  logic [ACC_W-1:0] acc_q;
  logic [25:0]      prod;
  hw_mul #(.A_W(10), .B_W(16)) u_mul (.a_i({1'b0, p_i}), .b_i(v_i), .p_o(prod));
  always_ff @(posedge clk_i) begin
    if (en_i) acc_q <= ACC_W'($signed(prod)) + (first_i ? ACC_W'(0) : acc_q);
    else if (shift_i) acc_q <= shift_in_i;
  end
  assign acc_o = acc_q;
endmodule
