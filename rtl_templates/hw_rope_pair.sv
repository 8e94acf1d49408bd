// hw_rope_pair — the rotation of one interleaved pair (docs/numerics.md §7), with its table pair selected from the
// position's rows:
//
//   c/s = cos_row/sin_row pair j (Q1.14);  y0 = sat_W((x0*c - x1*s + 2^13) >> 14);  y1 = sat_W((x0*s + x1*c + 2^13) >> 14)
//
// Combinational; hw_rope instantiates one (one element per beat) or LANES/2 of these, so synthesis maps one pair
// and counts it.
module hw_rope_pair #(
  parameter int unsigned PAIRS = 4,   // table pairs per row (HEAD_SIZE / 2)
  parameter int unsigned W     = 16   // element width (signed), 2..16
) (
  input  logic [PAIRS*16-1:0] cos_row_i,
  input  logic [PAIRS*16-1:0] sin_row_i,
  input  logic [PairW-1:0]    j_i,        // the pair's index within its head
  input  logic [W-1:0]        x0_i,
  input  logic [W-1:0]        x1_i,
  output logic [W-1:0]        y0_o,
  output logic [W-1:0]        y1_o
);
  localparam int unsigned PairW = (PAIRS > 1) ? $clog2(PAIRS) : 1;
  localparam logic signed [33:0] Max = 34'((35'sd1 <<< (W - 1)) - 35'sd1);
  localparam logic signed [33:0] Min = -34'(35'sd1 <<< (W - 1));
  if (PAIRS < 1 || W < 2 || W > 16) begin : gen_check
    $error("hw_rope_pair: PAIRS must be >= 1 and W in 2..16");
  end

  logic [15:0]        c, s;
  logic [W+15:0]      ac, bs, as_, bc;
  logic signed [33:0] y0_full, y1_full;
  assign c = cos_row_i[j_i*16 +: 16];
  assign s = sin_row_i[j_i*16 +: 16];
  hw_mul #(.A_W(W), .B_W(16)) u_ac (.a_i(x0_i), .b_i(c), .p_o(ac));
  hw_mul #(.A_W(W), .B_W(16)) u_bs (.a_i(x1_i), .b_i(s), .p_o(bs));
  hw_mul #(.A_W(W), .B_W(16)) u_as (.a_i(x0_i), .b_i(s), .p_o(as_));
  hw_mul #(.A_W(W), .B_W(16)) u_bc (.a_i(x1_i), .b_i(c), .p_o(bc));
  // |x| <= 2^15, |c|, |s| <= 2^14: each product < 2^29, their sum < 2^30.
  assign y0_full = (34'($signed(ac)) - 34'($signed(bs)) + 34'sd8192) >>> 14;
  assign y1_full = (34'($signed(as_)) + 34'($signed(bc)) + 34'sd8192) >>> 14;
  assign y0_o = (y0_full > Max) ? W'(Max) : ((y0_full < Min) ? W'(Min) : W'(y0_full));
  assign y1_o = (y1_full > Max) ? W'(Max) : ((y1_full < Min) ? W'(Min) : W'(y1_full));
endmodule
