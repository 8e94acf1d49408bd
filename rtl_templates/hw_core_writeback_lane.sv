// hw_core_writeback_lane — one lane of hw_core_writeback's vector results: RESADD's saturating sum of the operand
// lanes, NORM's output (sign-extended), ROPE's output saturated to out_bits, or the unit's lane (MATVEC, EMBED, SWIGLU,
// PV). Combinational; hw_core_writeback instantiates V of these, so synthesis maps one lane and counts it V times.
module hw_core_writeback_lane #(
  parameter int unsigned XN_W   = 8,
  parameter int unsigned ROPE_W = 16
) (
  input  logic              op_resadd_i,
  input  logic              op_norm_i,
  input  logic              op_rope_i,
  input  logic [5:0]        out_bits_i,
  input  logic [31:0]       a_i,
  input  logic [31:0]       b_i,
  input  logic [XN_W-1:0]   norm_i,
  input  logic [ROPE_W-1:0] rope_i,
  input  logic [31:0]       vec_i,
  output logic [31:0]       y_o
);
  always_comb begin
    if (op_resadd_i)    y_o = hw_core_pkg::sat_to({a_i[31], a_i} + {b_i[31], b_i}, out_bits_i);
    else if (op_norm_i) y_o = 32'($signed(norm_i));
    else if (op_rope_i) y_o = hw_core_pkg::sat_to(33'($signed(rope_i)), out_bits_i);
    else                y_o = vec_i;
  end
endmodule
