// Formal properties of hw_requant at small widths (yosys-smtbmc + z3, ctest label `formal`): every output equals
// the reference of docs/numerics.md §3, y = sat_OUT_W((acc * mult + 2^(rshift-1)) >>> rshift), computed here
// independently in a narrow exact width, for every accumulator, multiplier (below 2^MULT_W) and shift (1..SHIFT_MAX)
// and under any pattern of output stalls (bounded model check from reset); in_ready_o is exactly "not stalled" and
// the output holds while stalled (bounded, and proven for all time by k-induction).
module requant_formal #(
  parameter int unsigned ACC_W = 6,
  parameter int unsigned OUT_W = 4,
  parameter int unsigned MULT_W = 7,
  parameter int unsigned SHIFT_MAX = 14
) (
  input logic                    clk_i,
  input logic                    rst_ni,
  input logic                    in_valid_i,
  input logic signed [ACC_W-1:0] acc_i,
  input logic        [30:0]      mult_i,
  input logic        [5:0]       rshift_i,
  input logic                    out_ready_i
);
  logic                    in_ready, out_valid;
  logic signed [OUT_W-1:0] y;
  hw_requant #(.ACC_W(ACC_W), .OUT_W(OUT_W)) dut (
    .clk_i, .rst_ni, .in_valid_i, .in_ready_o(in_ready), .acc_i, .mult_i, .rshift_i, .out_valid_o(out_valid),
    .out_ready_i, .y_o(y)
  );

  logic init_q = 1'b1;
  always_ff @(posedge clk_i) init_q <= 1'b0;
  always_comb if (init_q) assume (!rst_ni);
  always_comb begin
    assume (mult_i < 31'(1 << MULT_W));
    assume (rshift_i >= 6'd1 && rshift_i <= 6'(SHIFT_MAX));
  end

  // The reference, in RefW bits: |acc * mult| < 2^(ACC_W + MULT_W - 1), plus the rounding term 2^(SHIFT_MAX - 1).
  localparam int unsigned RefW = ACC_W + MULT_W + SHIFT_MAX + 2;
  // Bounds as typed signed constants (yosys 0.23 compares a size-cast constant as unsigned).
  localparam logic signed [RefW-1:0] RefMax = (RefW'(1) <<< (OUT_W - 1)) - RefW'(1);
  localparam logic signed [RefW-1:0] RefMin = -(RefW'(1) <<< (OUT_W - 1));
  function automatic logic signed [OUT_W-1:0] reference(logic signed [ACC_W-1:0] acc, logic [30:0] mult,
                                                        logic [5:0] rshift);
    logic signed [RefW-1:0] p, r, q;
    p = RefW'(acc) * $signed({1'b0, RefW'(mult[MULT_W-1:0])});
    r = p + (RefW'(1) <<< (rshift - 6'd1));
    q = r >>> rshift;
    if (q > RefMax) reference = OUT_W'(RefMax);
    else if (q < RefMin) reference = OUT_W'(RefMin);
    else reference = OUT_W'(q);
  endfunction

  // A shadow of the two-stage pipeline, driven only by the ports: it advances exactly when the unit may.
  wire stall = out_valid && !out_ready_i;
  logic                    sh1_valid_q, sh2_valid_q;
  logic signed [OUT_W-1:0] sh1_y_q, sh2_y_q;
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      sh1_valid_q <= 1'b0;
      sh2_valid_q <= 1'b0;
    end else if (!stall) begin
      sh1_valid_q <= in_valid_i;
      sh1_y_q     <= reference(acc_i, mult_i, rshift_i);
      sh2_valid_q <= sh1_valid_q;
      sh2_y_q     <= sh1_y_q;
    end
  end

  logic stalled_q = 1'b0;
  logic signed [OUT_W-1:0] held_y_q;
  always_ff @(posedge clk_i) begin
    stalled_q <= rst_ni && stall;
    held_y_q  <= y;
  end

  always_comb begin
    if (rst_ni && !init_q) begin
      assert (in_ready == !stall);
`ifndef INDUCTION
      // Bounded from reset: the output is a function of the input accepted two transfers earlier, so every input
      // value and stall pattern is reached within the depth (run_formal.sh 6); the shadow's state is not visible to
      // an inductive step, which could start it out of step with the unit's registers.
      assert (out_valid == sh2_valid_q);
      if (out_valid) assert (y == sh2_y_q);
`endif
      if (stalled_q) begin
        assert (out_valid);
        assert (y == held_y_q);
      end
    end
  end
endmodule
