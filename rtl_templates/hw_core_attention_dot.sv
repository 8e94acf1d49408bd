// hw_core_attention_dot — the sum of N products of 16-bit signed lanes, exact in ACC_W bits (docs/numerics.md §8):
//
//   sum_o = sum_i q[i] * k[i]
//
// Combinational. hw_core_attention_score builds a head's dot product from HEAD_SIZE / N of these (N the largest
// divisor of HEAD_SIZE up to 4), so synthesis maps N multipliers once however long the head is.
module hw_core_attention_dot #(
  parameter int unsigned N     = 8,
  parameter int unsigned ACC_W = 40
) (
  input  logic [N*16-1:0]        q_i,
  input  logic [N*16-1:0]        k_i,
  output logic signed [ACC_W-1:0] sum_o
);
  if (N < 1 || ACC_W < 32 || ACC_W > 64) begin : gen_check
    $error("hw_core_attention_dot: N must be at least 1 and ACC_W in 32..64");
  end
  logic [N*32-1:0] prod;
  for (genvar i = 0; i < N; i++) begin : gen_mul
    hw_mul #(.A_W(16), .B_W(16)) u_mul (.a_i(q_i[i*16 +: 16]), .b_i(k_i[i*16 +: 16]), .p_o(prod[i*32 +: 32]));
  end
  always_comb begin
    sum_o = '0;
    for (int i = 0; i < N; i++) sum_o = sum_o + ACC_W'($signed(prod[i*32 +: 32]));
  end
endmodule
