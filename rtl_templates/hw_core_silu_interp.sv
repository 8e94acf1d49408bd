// hw_core_silu_interp — the SiLU of a gate from its table pair (docs/numerics.md §11), shared by the SwiGLU lanes
// (hw_core_elementwise_lane) and the scalar MAC (hw_core_mac).
//
// The gate's top 8 bits chose the ROM word {SILU[i+1], SILU[i]} (read in the cycle take_i is high); its low FRAC_W
// bits, registered here in that cycle, interpolate in the next:
//   s = SILU[i] + (((SILU[i+1] - SILU[i]) * r + 2^(FRAC_W-1)) >>> FRAC_W)      (FRAC_W = 0: s = SILU[i])
// s lies between SILU[i] and SILU[i+1], so it fits 16 bits; silu_o is its sign extension to 17.
module hw_core_silu_interp #(
  parameter int unsigned FRAC_W = 8  // gate bits below the table index: 0 (int8 gate) or 8 (int16 gate)
) (
  input  logic               clk_i,
  input  logic               take_i,   // the gate's word is read: register its fraction
  input  logic [15:0]        gate_i,
  input  logic [31:0]        pair_i,   // the ROM word read in take_i's cycle: {SILU[i+1], SILU[i]}
  output logic signed [16:0] silu_o
);
  if (FRAC_W != 0 && FRAC_W != 8) begin : gen_check
    $error("hw_core_silu_interp: FRAC_W must be 0 or 8");
  end
  logic signed [16:0] t0;
  assign t0 = 17'($signed(pair_i[15:0]));
  if (FRAC_W == 0) begin : gen_direct
    assign silu_o = t0;
    logic unused;
    assign unused = ^{clk_i, take_i, gate_i, pair_i[31:16]};
  end else begin : gen_interp
    logic [FRAC_W-1:0]           frac_q;
    logic signed [16:0]          diff;          // SILU[i+1] - SILU[i]: 17 bits
    logic [17+FRAC_W:0]          prod;          // diff * r: 17 + FRAC_W + 1 bits
    logic signed [17+FRAC_W:0]   rounded;
    always_ff @(posedge clk_i) begin
      if (take_i) frac_q <= gate_i[FRAC_W-1:0];
    end
    assign diff = $signed(17'($signed(pair_i[31:16]))) - t0;
    hw_mul #(.A_W(17), .B_W(FRAC_W + 1)) u_mul (.a_i(diff), .b_i({1'b0, frac_q}), .p_o(prod));
    assign rounded = $signed(prod) + $signed((18 + FRAC_W)'(1) <<< (FRAC_W - 1));
    assign silu_o  = t0 + 17'(rounded >>> FRAC_W);
    logic unused;
    assign unused = ^gate_i[15:FRAC_W];
  end
endmodule
