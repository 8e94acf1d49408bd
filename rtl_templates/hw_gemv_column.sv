// hw_gemv_column — one output column of the matrix engine (hw_gemv): P products of the activation word with the
// column's P weight codes, registered; their sum in a balanced adder tree added into the column's accumulator.
//
// Without group scales (GROUPED = 0):
//   prod[j] = x[j] * w[j]                              (stage 1, registered when prod_en_i)
//   sum_o   = tree_sum(prod) + (first_i ? 0 : acc)     acc <= sum_o when acc_en_i                        (stage 2)
// With group scales (GROUPED = 1; docs/numerics.md §2, §4): stage 2 sums a group's words into a partial sum, and a
// group's last word hands the partial sum and the group's 8-bit unsigned scale to stage 3, which scales and
// accumulates them:
//   part    = tree_sum(prod) + (first_i ? 0 : part)    part <= part when acc_en_i; when glast_i also
//                                                       gsum <= part, gs <= gs_i                          (stage 2)
//   sum_o   = gsum * gs + (scale_first_i ? 0 : acc)    acc <= sum_o when scale_en_i                      (stage 3)
// With zero points (ZERO_POINT = 1, GROUPED; numerics §2, §4) the codes are unsigned, u in [0, 2^W_BITS - 1], and the
// group's zero point z arrives with its scale; stage 3 takes z times the group's sum of x (xg_i, one sum for every
// column, from hw_gemv) off the group's sum before scaling it:
//   prod[j] = x[j] * u[j]                              (stage 1: a W_BITS + 1-bit signed operand {0, u})
//   sum_o   = (gsum - z * xg) * gs + (scale_first_i ? 0 : acc)                                        (stage 3)
//
// hw_gemv instantiates C of these, so synthesis maps one column and counts it C times. The arithmetic is exact
// (docs/numerics.md §4): products sign-extended to ACC_W, which holds every sum the engine is sized for; a group's
// partial sum needs GSUM_W bits (at most ACC_W).
module hw_gemv_column #(
  parameter int unsigned P       = 4,   // products per cycle (the weight port's rows)
  parameter int unsigned A_W     = 8,   // activation width (signed)
  parameter int unsigned W_BITS  = 8,   // weight code width (signed): 4, 6 or 8
  parameter int unsigned ACC_W   = 24,  // accumulator width (signed)
  parameter bit          GROUPED = 1'b0,
  parameter bit          ZERO_POINT = 1'b0,  // GROUPED: unsigned codes with a zero point per group
  parameter int unsigned GSUM_W  = ACC_W,  // GROUPED: a group's partial sum (signed)
  parameter int unsigned XG_W    = A_W     // ZERO_POINT: a group's sum of activations (signed)
) (
  input  logic                clk_i,
  input  logic                prod_en_i,      // x_i and w_i hold this cycle's words: register the products
  input  logic                acc_en_i,       // the registered products are valid: accumulate them (stage 2)
  input  logic                first_i,        // with acc_en_i: the first word of a column tile (GROUPED: of a group)
  input  logic                glast_i,        // GROUPED, with acc_en_i: the last word of a group
  input  logic [7:0]          gs_i,           // GROUPED, with glast_i: the group's scale (unsigned)
  input  logic [W_BITS-1:0]   z_i,            // ZERO_POINT, with glast_i: the group's zero point (unsigned)
  input  logic [XG_W-1:0]     xg_i,           // ZERO_POINT, with scale_en_i: the group's sum of x (signed)
  input  logic                scale_en_i,     // GROUPED: stage 3 holds a group's sum and scale: accumulate them
  input  logic                scale_first_i,  // GROUPED, with scale_en_i: the tile's first group (start from 0)
  input  logic [P*A_W-1:0]    x_i,            // lane j: x[g*P + j]
  input  logic [P*W_BITS-1:0] w_i,            // code j: W[n][g*P + j]
  output logic [ACC_W-1:0]    sum_o           // the accumulator after this cycle's products (GROUPED: group)
);
  localparam int unsigned CodeW  = W_BITS + (ZERO_POINT ? 1 : 0);  // the multiplier's weight operand (signed)
  localparam int unsigned ProdW  = A_W + CodeW;
  localparam int          Levels = (P > 1) ? $clog2(P) : 0;
  localparam int unsigned PP     = 1 << Levels;  // leaves of the adder tree (P rounded up to a power of two)
  localparam int unsigned TreeW  = GROUPED ? GSUM_W : ACC_W;

  if (P < 1 || P > 256 || A_W < 2 || A_W > 32 || !(W_BITS == 4 || W_BITS == 6 || W_BITS == 8) ||
      ACC_W < ProdW || ACC_W > 64 || (GROUPED && (GSUM_W < ProdW || GSUM_W > ACC_W)) ||
      (ZERO_POINT && (!GROUPED || W_BITS == 8 || XG_W < A_W || XG_W > GSUM_W)))
  begin : gen_check
    $error("hw_gemv_column: P in 1..256, A_W in 2..32, W_BITS 4, 6 or 8, ACC_W in A_W + W_BITS .. 64, GSUM_W in A_W + W_BITS .. ACC_W; ZERO_POINT with groups, 4 or 6 bits, XG_W in A_W .. GSUM_W");
  end

  logic [P*ProdW-1:0] prod, prod_q;
  for (genvar j = 0; j < P; j++) begin : gen_mul
    logic [CodeW-1:0] code;  // the signed code, or {0, u} with zero points
    if (ZERO_POINT) begin : gen_unsigned
      assign code = {1'b0, w_i[j*W_BITS +: W_BITS]};
    end else begin : gen_signed
      assign code = w_i[j*W_BITS +: W_BITS];
    end
    hw_mul #(.A_W(A_W), .B_W(CodeW)) u_mul (.a_i(x_i[j*A_W +: A_W]), .b_i(code), .p_o(prod[j*ProdW +: ProdW]));
  end
  always_ff @(posedge clk_i) begin
    if (prod_en_i) prod_q <= prod;
  end

  // The balanced tree, level by level in place, the products sign-extended to the tree's width.
  logic [PP*TreeW-1:0] tree;
  always_comb begin
    tree = '0;
    for (int j = 0; j < P; j++) tree[j*TreeW +: TreeW] = TreeW'($signed(prod_q[j*ProdW +: ProdW]));
    for (int l = 0; l < Levels; l++) begin
      for (int i = 0; i < (PP >> (l + 1)); i++) begin
        tree[i*TreeW +: TreeW] = tree[(2*i)*TreeW +: TreeW] + tree[(2*i + 1)*TreeW +: TreeW];
      end
    end
  end

  logic [ACC_W-1:0] acc_q;
  if (GROUPED) begin : gen_grouped
    logic [GSUM_W-1:0]   part, part_q, gsum_q, gnet;
    logic [7:0]          gs_q;
    logic [GSUM_W+8:0]   scaled;  // gnet x gs: signed x unsigned 8-bit, exact
    assign part = tree[TreeW-1:0] + (first_i ? GSUM_W'(0) : part_q);
    always_ff @(posedge clk_i) begin
      if (acc_en_i) part_q <= part;
      if (acc_en_i && glast_i) begin
        gsum_q <= part;
        gs_q   <= gs_i;
      end
    end
    if (ZERO_POINT) begin : gen_zero_point
      // gnet = gsum - z * xg = sum (u - z) x, which fits GSUM_W (|u - z| < 2^W_BITS): the difference is taken
      // modulo 2^GSUM_W, exact.
      logic [W_BITS-1:0]      z_q;
      logic [XG_W+W_BITS:0]   zx;  // z x xg: unsigned W_BITS-bit x signed, exact
      always_ff @(posedge clk_i) begin
        if (acc_en_i && glast_i) z_q <= z_i;
      end
      hw_mul #(.A_W(XG_W), .B_W(W_BITS + 1)) u_zero (.a_i(xg_i), .b_i({1'b0, z_q}), .p_o(zx));
      assign gnet = gsum_q - GSUM_W'($signed(zx));
    end else begin : gen_no_zero_point
      assign gnet = gsum_q;
      logic unused_zp;
      assign unused_zp = ^{z_i, xg_i};
    end
    hw_mul #(.A_W(GSUM_W), .B_W(9)) u_scale (.a_i(gnet), .b_i({1'b0, gs_q}), .p_o(scaled));
    assign sum_o = ACC_W'($signed(scaled)) + (scale_first_i ? ACC_W'(0) : acc_q);
    if (GSUM_W + 9 > ACC_W) begin : gen_sign_copies
      // The bits of the scaled sum above ACC_W are copies of its sign: ACC_W holds every sum (the plan sizes it).
      logic unused_sign;
      assign unused_sign = ^scaled[GSUM_W+8:ACC_W];
    end
    always_ff @(posedge clk_i) begin
      if (scale_en_i) acc_q <= sum_o;
    end
  end else begin : gen_plain
    assign sum_o = tree[ACC_W-1:0] + (first_i ? ACC_W'(0) : acc_q);
    always_ff @(posedge clk_i) begin
      if (acc_en_i) acc_q <= sum_o;
    end
    logic unused;
    assign unused = ^{glast_i, gs_i, z_i, xg_i, scale_en_i, scale_first_i};
  end
endmodule
