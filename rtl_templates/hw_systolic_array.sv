// hw_systolic_array — R x C weight-stationary systolic array (hw_pe grid) with input skew and output de-skew.
//
// Each accepted input beat is one activation row of R elements (row r feeds array row r) plus the weight bank it
// uses; R cycles... C cycles later the C column sums of that row leave together as one output beat:
//   out[c] = sum_r a[r] * W_bank[r][c]
// Dataflow: weight-stationary. Activations enter from the left skewed by row (row r delayed r cycles) and move
// right; partial sums move down; column c is delayed C-1-c cycles at the bottom so a row's results leave aligned.
// One input row per cycle once full; latency R + C cycles.
//
// Handshakes: in_valid/in_ready and out_valid/out_ready. The whole array advances (adv_o) unless a valid output is
// not accepted. Weight loads (w_we_i: row w_row_i of bank w_bank_i gets w_data_i, C int8 values) are independent
// of adv_o; the caller must not rewrite a bank that activations in flight still use (hw_gemm counts adv_o cycles).
module hw_systolic_array #(
  parameter int unsigned R     = 4,
  parameter int unsigned C     = 4,
  parameter int unsigned A_W   = 8,
  parameter int unsigned ACC_W = 24,
  parameter int unsigned NUM_BANKS = 2   // weight banks per PE, 2 or 3
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 in_valid_i,
  output logic                 in_ready_o,
  input  logic [R*A_W-1:0]     in_a_i,      // element r at [r*A_W +: A_W]
  input  logic [SelW-1:0]      in_sel_i,    // weight bank used by this row
  output logic                 out_valid_o,
  input  logic                 out_ready_i,
  output logic [C*ACC_W-1:0]   out_psum_o,  // column c at [c*ACC_W +: ACC_W]
  output logic                 adv_o,
  input  logic                 w_we_i,
  input  logic [SelW-1:0]      w_bank_i,
  input  logic [RowW-1:0]      w_row_i,
  input  logic [C*8-1:0]       w_data_i     // column c at [c*8 +: 8]
);
  localparam int unsigned RowW = (R > 1) ? $clog2(R) : 1;
  localparam int unsigned SelW = (NUM_BANKS > 2) ? 2 : 1;
  if (R < 1 || C < 1 || R > 256 || C > 256) begin : gen_check_size
    $error("hw_systolic_array: R and C must be in 1..256");
  end

  logic adv;
  assign adv        = !out_valid_o || out_ready_i;
  assign adv_o      = adv;
  assign in_ready_o = adv;

  // Horizontal (activation) and vertical (partial sum) nets. a_*[r][c] enters PE(r, c); psum[r][c] enters PE(r, c)
  // from above, psum[R][c] leaves column c.
  logic [R*(C+1)*A_W-1:0]   a_h;
  logic [R*(C+1)-1:0]       v_h;
  logic [R*(C+1)*SelW-1:0]  s_h;
  logic [(R+1)*C*ACC_W-1:0] psum_v;
  logic [C-1:0]             col_valid;

  for (genvar r = 0; r < R; r++) begin : gen_row
    // Input skew: row r waits r cycles.
    logic [A_W-1:0] skew_a [r+1];
    logic           skew_v [r+1];
    logic [SelW-1:0] skew_s [r+1];
    assign skew_a[0] = in_a_i[r*A_W +: A_W];
    assign skew_v[0] = in_valid_i;
    assign skew_s[0] = in_sel_i;
    for (genvar d = 0; d < r; d++) begin : gen_skew
      always_ff @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni)  skew_v[d+1] <= 1'b0;
        else if (adv) skew_v[d+1] <= skew_v[d];
      end
      always_ff @(posedge clk_i) begin
        if (adv) begin
          skew_a[d+1] <= skew_a[d];
          skew_s[d+1] <= skew_s[d];
        end
      end
    end
    assign a_h[(r*(C+1))*A_W +: A_W] = skew_a[r];
    assign v_h[r*(C+1)]              = skew_v[r];
    assign s_h[r*(C+1)*SelW +: SelW] = skew_s[r];

    for (genvar c = 0; c < C; c++) begin : gen_col
      localparam int unsigned In = r*(C+1) + c;
      hw_pe #(.A_W(A_W), .ACC_W(ACC_W), .NUM_BANKS(NUM_BANKS)) u_pe (
        .clk_i,
        .rst_ni,
        .en_i      (adv),
        .a_i       (a_h[In*A_W +: A_W]),
        .a_valid_i (v_h[In]),
        .sel_i     (s_h[In*SelW +: SelW]),
        .psum_i    (psum_v[(r*C + c)*ACC_W +: ACC_W]),
        .a_o       (a_h[(In+1)*A_W +: A_W]),
        .a_valid_o (v_h[In+1]),
        .sel_o     (s_h[(In+1)*SelW +: SelW]),
        .psum_o    (psum_v[((r+1)*C + c)*ACC_W +: ACC_W]),
        .w_we_i    (w_we_i && w_row_i == RowW'(r)),
        .w_bank_i,
        .w_i       (w_data_i[c*8 +: 8])
      );
    end
    // The last column's outputs go nowhere.
    logic unused_row_end;
    assign unused_row_end = ^{a_h[(r*(C+1)+C)*A_W +: A_W], s_h[(r*(C+1)+C)*SelW +: SelW]};
  end

  // Top of every column: zero partial sum.
  assign psum_v[C*ACC_W-1:0] = '0;

  // Output de-skew: column c waits C-1-c cycles; its valid is the valid of the row's activation in PE(R-1, c).
  for (genvar c = 0; c < C; c++) begin : gen_deskew
    localparam int unsigned Depth = C - 1 - c;
    logic [ACC_W-1:0] dq_p [Depth+1];
    logic             dq_v [Depth+1];
    assign dq_p[0] = psum_v[(R*C + c)*ACC_W +: ACC_W];
    assign dq_v[0] = v_h[(R-1)*(C+1) + c + 1];
    for (genvar d = 0; d < Depth; d++) begin : gen_delay
      always_ff @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni)  dq_v[d+1] <= 1'b0;
        else if (adv) dq_v[d+1] <= dq_v[d];
      end
      always_ff @(posedge clk_i) begin
        if (adv) dq_p[d+1] <= dq_p[d];
      end
    end
    assign out_psum_o[c*ACC_W +: ACC_W] = dq_p[Depth];
    assign col_valid[c] = dq_v[Depth];
  end
  assign out_valid_o = col_valid[0];
  logic unused_col_valid;
  assign unused_col_valid = ^col_valid;
endmodule
