// hw_pe — weight-stationary processing element with NUM_BANKS weight banks (2: double-buffered; 3 lets a decode
// tile load while the bank before it still drains).
//
//   psum_o <= psum_i + a_i * w[sel_i]        (when a_valid_i; else 0)      int8 weight x A_W activation
//   a_o    <= a_i, a_valid_o <= a_valid_i, sel_o <= sel_i                   the activation moves right
//
// Everything on the data path advances only when en_i (the array's global advance). The weight banks are written
// independently of en_i (w_we_i selects this PE's row, w_bank_i the bank); the bank an activation uses travels with
// it (sel), so a new tile's weights take effect exactly at that tile's first activation.
module hw_pe #(
  parameter int unsigned A_W   = 8,   // activation width (signed), 8 or 16
  parameter int unsigned ACC_W = 24,  // accumulator width (signed)
  parameter int unsigned NUM_BANKS = 2  // weight banks, 2 or 3
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,
  input  logic                    en_i,
  input  logic signed [A_W-1:0]   a_i,
  input  logic                    a_valid_i,
  input  logic [SelW-1:0]         sel_i,
  input  logic signed [ACC_W-1:0] psum_i,
  output logic signed [A_W-1:0]   a_o,
  output logic                    a_valid_o,
  output logic [SelW-1:0]         sel_o,
  output logic signed [ACC_W-1:0] psum_o,
  input  logic                    w_we_i,
  input  logic [SelW-1:0]         w_bank_i,
  input  logic signed [7:0]       w_i
);
  localparam int unsigned SelW = (NUM_BANKS > 2) ? 2 : 1;
  if (ACC_W < A_W + 8 || ACC_W > 64) begin : gen_check_acc_w
    $error("hw_pe: ACC_W must hold a product (>= A_W + 8) and be at most 64");
  end
  if (NUM_BANKS < 2 || NUM_BANKS > 3) begin : gen_check_banks
    $error("hw_pe: NUM_BANKS must be 2 or 3");
  end

  logic signed [7:0]       w_q [NUM_BANKS];
  logic signed [7:0]       w_sel;
  logic signed [A_W+7:0]   prod;

  assign w_sel = w_q[sel_i];
  assign prod  = a_i * w_sel;

  for (genvar b = 0; b < NUM_BANKS; b++) begin : gen_bank
    always_ff @(posedge clk_i) begin
      if (w_we_i && w_bank_i == SelW'(b)) w_q[b] <= w_i;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      a_valid_o <= 1'b0;
    end else if (en_i) begin
      a_valid_o <= a_valid_i;
    end
  end

  always_ff @(posedge clk_i) begin
    if (en_i) begin
      a_o    <= a_i;
      sel_o  <= sel_i;
      psum_o <= a_valid_i ? psum_i + ACC_W'(prod) : '0;
    end
  end
endmodule
