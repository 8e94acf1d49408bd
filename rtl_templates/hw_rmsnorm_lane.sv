// hw_rmsnorm_lane — one lane of hw_rmsnorm (docs/numerics.md §6): the square of an input element for the sum of
// squares, and the scaling of a buffered element by the vector's multiplier:
//
//   sq_o = x * x;     y_o = zero_i ? 0 : sat_OUT_W((xb * m + 2^(shift-1)) >> shift)
//
// Combinational; hw_rmsnorm instantiates LANES of these, so synthesis maps one lane and counts it LANES times.
module hw_rmsnorm_lane #(
  parameter int unsigned IN_W  = 16,  // residual width (signed)
  parameter int unsigned OUT_W = 8    // output width (signed)
) (
  input  logic [IN_W-1:0]    x_i,      // capture: an element of the beat arriving
  output logic [2*IN_W-1:0]  sq_o,     // its square (< 2^(2*IN_W - 1): the top bit is 0)
  input  logic [IN_W-1:0]    xb_i,     // emit: the element read back from the vector buffer
  input  logic [47:0]        m_i,      // floor(gain * 2^24 / r)
  input  logic [5:0]         shift_i,  // 1..62
  input  logic               zero_i,   // the lane is past DIM: output 0
  output logic [OUT_W-1:0]   y_o
);
  localparam logic signed [63:0] OutMax = (64'sd1 <<< (OUT_W - 1)) - 64'sd1;
  localparam logic signed [63:0] OutMin = -(64'sd1 <<< (OUT_W - 1));
  if (IN_W < 2 || IN_W > 16 || OUT_W < 2 || OUT_W > 32) begin : gen_check
    $error("hw_rmsnorm_lane: IN_W must be in 2..16 and OUT_W in 2..32");
  end

  hw_mul #(.A_W(IN_W), .B_W(IN_W)) u_square (.a_i(x_i), .b_i(x_i), .p_o(sq_o));

  // |x| <= r, so |x * m| <= gain * 2^24 < 2^48, and adding 2^61 for the largest shift stays below 2^63.
  logic [IN_W+48:0]   xm;
  logic signed [63:0] scaled;
  hw_mul #(.A_W(IN_W), .B_W(49)) u_scale (.a_i(xb_i), .b_i({1'b0, m_i}), .p_o(xm));
  logic signed [63:0] xm64;  // x * m in 64 bits (exact: |x * m| < 2^48)
  if (IN_W + 49 > 64) begin : gen_truncate
    assign xm64 = xm[63:0];
    logic unused_sign;  // copies of the sign
    assign unused_sign = ^xm[IN_W+48:64];
  end else begin : gen_extend
    assign xm64 = 64'($signed(xm));
  end
  assign scaled = (xm64 + (64'sd1 <<< (shift_i - 6'd1))) >>> shift_i;
  always_comb begin
    if (zero_i)                y_o = '0;
    else if (scaled > OutMax)  y_o = OUT_W'(OutMax);
    else if (scaled < OutMin)  y_o = OUT_W'(OutMin);
    else                       y_o = OUT_W'(scaled);
  end
endmodule
