// hw_mul — the signed multiplier primitive: p = a * b, exact in A_W + B_W bits (two's complement operands).
//
// Every multiplier of the datapath is one of these (matrix engine columns, attention, RMSNorm, RoPE, SwiGLU, the
// requantizers), so synthesis maps one multiplier of each shape once and counts it, however many the chip has; a
// unit with an unsigned operand passes it with a zero sign bit.
module hw_mul #(
  parameter int unsigned A_W = 8,
  parameter int unsigned B_W = 8
) (
  input  logic [A_W-1:0]     a_i,
  input  logic [B_W-1:0]     b_i,
  output logic [A_W+B_W-1:0] p_o
);
  if (A_W < 1 || B_W < 1 || A_W + B_W > 128) begin : gen_check
    $error("hw_mul: A_W and B_W must be at least 1, A_W + B_W at most 128");
  end
  assign p_o = (A_W + B_W)'($signed(a_i) * $signed(b_i));
endmodule
