// hw_gemv_column — one output column of the matrix engine (hw_gemv): P products of the activation word with the
// column's P weight bytes, registered; their sum in a balanced adder tree added into the column's accumulator.
//
//   prod[j] = x[j] * w[j]                            (stage 1, registered when prod_en_i)
//   sum_o   = tree_sum(prod) + (first_i ? 0 : acc)   acc <= sum_o when acc_en_i   (stage 2)
//
// hw_gemv instantiates C of these, so synthesis maps one column and counts it C times. The arithmetic is exact
// (docs/numerics.md §4): products sign-extended to ACC_W, which holds every sum the engine is sized for.
module hw_gemv_column #(
  parameter int unsigned P     = 4,   // products per cycle (the weight port's rows)
  parameter int unsigned A_W   = 8,   // activation width (signed)
  parameter int unsigned ACC_W = 24   // accumulator width (signed)
) (
  input  logic               clk_i,
  input  logic               prod_en_i,  // x_i and w_i hold this cycle's words: register the products
  input  logic               acc_en_i,   // the registered products are valid: accumulate them
  input  logic               first_i,    // with acc_en_i: the first group of a column tile (start from 0)
  input  logic [P*A_W-1:0]   x_i,        // lane j: x[g*P + j]
  input  logic [P*8-1:0]     w_i,        // byte j: W[n][g*P + j]
  output logic [ACC_W-1:0]   sum_o       // the accumulator after this cycle's products (signed)
);
  localparam int unsigned ProdW  = A_W + 8;
  localparam int          Levels = (P > 1) ? $clog2(P) : 0;
  localparam int unsigned PP     = 1 << Levels;  // leaves of the adder tree (P rounded up to a power of two)

  if (P < 1 || P > 256 || A_W < 2 || A_W > 32 || ACC_W < ProdW || ACC_W > 64) begin : gen_check
    $error("hw_gemv_column: P in 1..256, A_W in 2..32, ACC_W in A_W + 8 .. 64");
  end

  logic [P*ProdW-1:0] prod, prod_q;
  for (genvar j = 0; j < P; j++) begin : gen_mul
    hw_mul #(.A_W(A_W), .B_W(8)) u_mul (.a_i(x_i[j*A_W +: A_W]), .b_i(w_i[j*8 +: 8]), .p_o(prod[j*ProdW +: ProdW]));
  end
  always_ff @(posedge clk_i) begin
    if (prod_en_i) prod_q <= prod;
  end

  // The balanced tree, level by level in place, the products sign-extended to ACC_W.
  logic [PP*ACC_W-1:0] tree;
  always_comb begin
    tree = '0;
    for (int j = 0; j < P; j++) tree[j*ACC_W +: ACC_W] = ACC_W'($signed(prod_q[j*ProdW +: ProdW]));
    for (int l = 0; l < Levels; l++) begin
      for (int i = 0; i < (PP >> (l + 1)); i++) begin
        tree[i*ACC_W +: ACC_W] = tree[(2*i)*ACC_W +: ACC_W] + tree[(2*i + 1)*ACC_W +: ACC_W];
      end
    end
  end

  logic [ACC_W-1:0] acc_q;
  assign sum_o = tree[ACC_W-1:0] + (first_i ? ACC_W'(0) : acc_q);
  always_ff @(posedge clk_i) begin
    if (acc_en_i) acc_q <= sum_o;
  end
endmodule
