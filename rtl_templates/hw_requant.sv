// hw_requant — requantize one accumulator per cycle (docs/numerics.md §3):
//
//   y = sat_OUT_W( (acc * mult + 2^(rshift-1)) >>> rshift )      ties toward +infinity, single rounding
//
// Parameters come with each element (per-channel or per-tensor: the caller decides), so one unit serves every
// site. Contract: valid/ready on both sides; a transfer happens on a rising clock edge when valid && ready. Two
// pipeline stages (multiply; round/shift/saturate); the whole pipeline stalls when the output is not accepted.
// Latency 2 cycles, throughput 1 per cycle.
module hw_requant #(
  parameter int unsigned ACC_W = 32,  // accumulator width (signed), 2..64
  parameter int unsigned OUT_W = 8    // output width (signed), 2..32
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,
  // input stream
  input  logic                    in_valid_i,
  output logic                    in_ready_o,
  input  logic signed [ACC_W-1:0] acc_i,
  input  logic        [30:0]      mult_i,    // 0 <= mult < 2^31
  input  logic        [5:0]       rshift_i,  // 1..62
  // output stream
  output logic                    out_valid_o,
  input  logic                    out_ready_i,
  output logic signed [OUT_W-1:0] y_o
);
  if (ACC_W < 2 || ACC_W > 64) begin : gen_check_acc_w
    $error("hw_requant: ACC_W must be in 2..64");
  end
  if (OUT_W < 2 || OUT_W > 32) begin : gen_check_out_w
    $error("hw_requant: OUT_W must be in 2..32");
  end

  // The exact product needs ACC_W + 31 bits plus sign; the rounding term reaches 2^61. SUM_W holds both without
  // overflow: for ACC_W <= 32, |prod| < 2^62 and prod + 2^61 < 2^63; above, |prod| + 2^61 < 2^(ACC_W + 31).
  localparam int unsigned ProdW = ACC_W + 32;
  localparam int unsigned SumW = (ProdW > 64) ? ProdW : 64;
  localparam logic signed [SumW-1:0] One = SumW'(1);
  localparam logic signed [SumW-1:0] OutMax = (One <<< (OUT_W - 1)) - One;
  localparam logic signed [SumW-1:0] OutMin = -(One <<< (OUT_W - 1));

  logic                   stall;
  logic                   s1_valid_q, s2_valid_q;
  logic signed [SumW-1:0] s1_prod_q;
  logic        [5:0]      s1_rshift_q;
  logic signed [OUT_W-1:0] s2_y_q;

  assign stall       = s2_valid_q && !out_ready_i;
  assign in_ready_o  = !stall;
  assign out_valid_o = s2_valid_q;
  assign y_o         = s2_y_q;

  // Stage 1: exact signed product (mult is non-negative: zero-extended to a signed 32-bit operand).
  logic [ACC_W+31:0]      prod;
  logic signed [SumW-1:0] prod_d;
  hw_mul #(.A_W(ACC_W), .B_W(32)) u_mul (.a_i(acc_i), .b_i({1'b0, mult_i}), .p_o(prod));
  assign prod_d = SumW'($signed(prod));

  // Stage 2: round, shift, saturate.
  logic signed [SumW-1:0] round_term, rounded, shifted;
  logic signed [OUT_W-1:0] y_d;
  always_comb begin
    round_term = One <<< (s1_rshift_q - 6'd1);
    rounded    = s1_prod_q + round_term;
    shifted    = rounded >>> s1_rshift_q;
    if (shifted > OutMax)      y_d = OUT_W'(OutMax);
    else if (shifted < OutMin) y_d = OUT_W'(OutMin);
    else                       y_d = OUT_W'(shifted);
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s1_valid_q <= 1'b0;
      s2_valid_q <= 1'b0;
    end else if (!stall) begin
      s1_valid_q <= in_valid_i;
      s2_valid_q <= s1_valid_q;
    end
  end

  always_ff @(posedge clk_i) begin
    if (!stall) begin
      s1_prod_q   <= prod_d;
      s1_rshift_q <= rshift_i;
      s2_y_q      <= y_d;
    end
  end

`ifndef SYNTHESIS
  // Run-time check, out of reset only: before the first reset edge the state is random (--x-initial unique).
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      // in reset: nothing to check
    end else if (in_valid_i && in_ready_o && (rshift_i == 6'd0 || rshift_i > 6'd62)) begin
      $error("hw_requant: rshift %0d outside 1..62", rshift_i);
    end
  end
`endif
endmodule
