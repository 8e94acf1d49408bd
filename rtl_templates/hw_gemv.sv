// hw_gemv — the decode matrix engine: one activation vector times a weight matrix, P x C multipliers fed straight
// from a weight port of P x C bytes per cycle:
//
//   y[n] = sum_k W[n][k] * x[k]          (docs/numerics.md §4: exact, ACC_W-bit accumulators)
//
// for runtime sizes 1 <= K <= K_MAX, 1 <= N <= N_MAX. W is int8 (out x in), x has A_W bits (signed).
//
// Why this and not the weight-stationary array (hw_gemm) at decode: with one activation row every weight is used
// once per step, so loading it into a PE register first buys nothing, and a C-byte port can then keep only one PE
// row busy. Here each cycle's P x C weights meet P activations directly: activation j is broadcast along row j of
// the multipliers, and each of the C columns sums its P products in a balanced adder tree. With the widest port
// (P = R) every multiplier does a MAC every cycle of a matrix product.
//
// Memories (hw_sram macros; the host can write them, the weight banks can start from generated images):
//   weight port  P banks of C bytes per word, each its own macro (or macros, banked by depth), initialised from
//                "<W_FILE>_p<j>.hex", or "<W_FILE>_p<j>_bank<b>.hex" when W_BANK_DEPTH splits it. A matrix starts at
//                word w_base_i of every bank; group (nt, g), outputs nt*C .. and inputs g*P .., is word
//                w_base_i + nt*KG + g, bank j byte c holding W[nt*C + c][g*P + j] (zero outside W), KG = ceil(K / P),
//                NT = ceil(N / C). generator/ writes this layout (gen::gemv_weight_words).
//   X buffer     P activations per word: word g holds x[g*P + j] in lane j (zero outside x).
//
// Pipeline: issue (read one word of every weight bank and one X word) -> products registered -> column sums added
// into C accumulators (stages 1 and 2 are C hw_gemv_column instances, one per output column, so synthesis maps one
// column and counts it C times); after a column tile's last group its C sums enter a 2-beat output FIFO. Issue of a tile's
// first group waits while the FIFO and the beats in flight would not leave room for its result, so back-pressure
// never drops a beat. Cost: NT*KG cycles plus 3 of latency when the consumer takes a beat at least every KG cycles:
// weight bytes / (P*C), the weight-port bound.
//
// Interface: start_i (while !busy_o) with k_i/n_i/w_base_i. The X buffer may be written at any time: the engine reads
// word g at the earliest g + 1 cycles after start_i, so a writer that writes word g no later than g cycles after
// start_i (a word per cycle from before the start) may start the engine early. Results leave as
// NT beats of C accumulators (lanes past N are zero), out_last_o on the final beat; out_valid/out_ready. issue_o tells
// an activity counter (hw_core's dbg_ev_o) the cycles that read the memories: NT*KG per job.
module hw_gemv #(
  parameter int unsigned P            = 4,     // weight-port rows: inputs consumed per cycle
  parameter int unsigned C            = 4,     // output columns per cycle; a weight bank word is C bytes
  parameter int unsigned A_W          = 8,
  parameter int unsigned ACC_W        = 24,
  parameter int unsigned K_MAX        = 64,
  parameter int unsigned N_MAX        = 64,
  parameter int unsigned W_DEPTH      = 1024,  // words per weight bank (the generator sizes it: ChipPlan::weight_words)
  parameter int unsigned W_BANK_DEPTH = 0,     // words per macro of a weight bank (power of two); 0: one macro
  parameter              W_FILE       = ""     // image prefix of the weight banks, optional
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  // host access to the memories
  input  logic               wmem_we_i,       // one word of every weight bank
  input  logic [WAddrW-1:0]  wmem_addr_i,
  input  logic [P*C*8-1:0]   wmem_data_i,     // bank j at [j*C*8 +: C*8]
  input  logic               xmem_we_i,
  input  logic [XAddrW-1:0]  xmem_addr_i,
  input  logic [P*A_W-1:0]   xmem_data_i,
  // job
  input  logic               start_i,
  input  logic [DimW-1:0]    k_i,
  input  logic [DimW-1:0]    n_i,
  input  logic [WAddrW-1:0]  w_base_i,
  output logic               busy_o,
  output logic               issue_o,         // a weight word of every bank and an X word are read this cycle
  // results
  output logic               out_valid_o,
  input  logic               out_ready_i,
  output logic [C*ACC_W-1:0] out_data_o,
  output logic               out_last_o
);
  localparam int unsigned KgMax     = (K_MAX + P - 1) / P;
  localparam int unsigned NtMax     = (N_MAX + C - 1) / C;
  localparam int unsigned WAddrW    = (W_DEPTH > 1) ? $clog2(W_DEPTH) : 1;
  localparam int unsigned XAddrW    = (KgMax > 1) ? $clog2(KgMax) : 1;
  localparam int unsigned MaxDim    = (K_MAX > N_MAX) ? K_MAX : N_MAX;
  localparam int unsigned DimW      = $clog2(MaxDim + 1);
  localparam int unsigned GW        = $clog2(KgMax + 1);
  localparam int unsigned NtW       = $clog2(NtMax + 1);
  localparam int unsigned ProdW     = A_W + 8;
  localparam int unsigned FifoDepth = 2;

  if (P < 1 || P > 256 || C < 1 || C > 256) begin : gen_check_shape
    $error("hw_gemv: P and C must be in 1..256");
  end
  if (K_MAX < 1 || N_MAX < 1 || W_DEPTH < NtMax || W_DEPTH < KgMax) begin : gen_check_dims
    $error("hw_gemv: K_MAX, N_MAX positive; W_DEPTH must hold a matrix of N_MAX rows and one of K_MAX columns");
  end
  if (ACC_W < ProdW || ACC_W > 64) begin : gen_check_acc
    $error("hw_gemv: ACC_W must hold a product (A_W + 8 bits) and be at most 64");
  end

  // ---- job and issue --------------------------------------------------------------------------------------------
  logic              busy_q, busy_d;
  logic [GW-1:0]     kg_n_q, kg_n_d, is_g_q, is_g_d;
  logic [NtW-1:0]    nt_n_q, nt_n_d, is_nt_q, is_nt_d, out_nt_q, out_nt_d;
  logic [WAddrW-1:0] is_addr_q, is_addr_d;
  logic [1:0]        pend_q, pend_d;  // tiles whose last group is issued and whose beat is not yet in the FIFO
  logic              issue, issue_last, push, pop;
  logic [1:0]        fifo_count;
  logic              fifo_ready;  // always high when a beat arrives: issue reserved its slot
  localparam int unsigned CalcW = DimW + 10;  // ceil-divisions by P, C (<= 256) without overflow
  assign kg_n_d = GW'((CalcW'(k_i) + CalcW'(P - 1)) / CalcW'(P));
  assign nt_n_d = NtW'((CalcW'(n_i) + CalcW'(C - 1)) / CalcW'(C));

  assign issue_last = is_g_q == kg_n_q - GW'(1);
  assign issue = busy_q && is_nt_q < nt_n_q &&
                 (is_g_q != '0 || 3'(fifo_count) + 3'(pend_q) < 3'(FifoDepth));
  assign busy_o = busy_q;
  assign issue_o = issue;

  // ---- memories -------------------------------------------------------------------------------------------------
  logic [P*C*8-1:0] w_rdata;
  logic [P*A_W-1:0] x_rdata;
  for (genvar j = 0; j < P; j++) begin : gen_bank
    hw_sram #(.WIDTH(C*8), .DEPTH(W_DEPTH), .BANK_DEPTH(W_BANK_DEPTH), .INIT_FILE(W_FILE), .INIT_PART(j)) u_wmem (
      .clk_i,
      .we_i   (wmem_we_i && !busy_q),
      .waddr_i(wmem_addr_i),
      .wdata_i(wmem_data_i[j*C*8 +: C*8]),
      .wbe_i  ('1),
      .re_i   (issue),
      .raddr_i(is_addr_q),
      .rdata_o(w_rdata[j*C*8 +: C*8]));
  end
  hw_sram #(.WIDTH(P*A_W), .DEPTH(KgMax)) u_xmem (
    .clk_i,
    .we_i   (xmem_we_i),
    .waddr_i(xmem_addr_i),
    .wdata_i(xmem_data_i),
    .wbe_i  ('1),
    .re_i   (issue),
    .raddr_i(XAddrW'(is_g_q)),
    .rdata_o(x_rdata));

  // ---- stages 1 and 2: C columns (hw_gemv_column), each P products, their adder tree and its accumulator ----------
  logic               v1_q, first1_q, last1_q, v2_q, first2_q, last2_q;
  logic [C*ACC_W-1:0] acc_d;  // every column's accumulator after this cycle's products
  for (genvar c = 0; c < C; c++) begin : gen_column
    logic [P*8-1:0] w_col;  // byte j of bank j's word c: W[nt*C + c][g*P + j]
    for (genvar j = 0; j < P; j++) begin : gen_row
      assign w_col[j*8 +: 8] = w_rdata[(j*C + c)*8 +: 8];
    end
    hw_gemv_column #(.P(P), .A_W(A_W), .ACC_W(ACC_W)) u_column (
      .clk_i,
      .prod_en_i(v1_q),
      .acc_en_i (v2_q),
      .first_i  (first2_q),
      .x_i      (x_rdata),
      .w_i      (w_col),
      .sum_o    (acc_d[c*ACC_W +: ACC_W]));
  end
  assign push = v2_q && last2_q;

  hw_fifo #(.WIDTH(C*ACC_W), .DEPTH(FifoDepth)) u_out_fifo (
    .clk_i, .rst_ni,
    .in_valid_i(push), .in_ready_o(fifo_ready), .in_data_i(acc_d),
    .out_valid_o, .out_ready_i, .out_data_o, .count_o(fifo_count));
  assign pop        = out_valid_o && out_ready_i;
  assign out_last_o = out_nt_q == nt_n_q - NtW'(1);
  logic unused;
  assign unused = fifo_ready;

  // ---- control --------------------------------------------------------------------------------------------------
  always_comb begin
    busy_d    = busy_q;
    is_g_d    = is_g_q;
    is_nt_d   = is_nt_q;
    is_addr_d = is_addr_q;
    out_nt_d  = out_nt_q;
    pend_d    = pend_q + 2'(issue && issue_last) - 2'(push);
    if (!busy_q) begin
      if (start_i) begin
        busy_d    = 1'b1;
        is_g_d    = '0;
        is_nt_d   = '0;
        is_addr_d = w_base_i;
        out_nt_d  = '0;
      end
    end else begin
      if (issue) begin
        is_addr_d = is_addr_q + WAddrW'(1);
        if (issue_last) begin
          is_g_d  = '0;
          is_nt_d = is_nt_q + NtW'(1);
        end else begin
          is_g_d = is_g_q + GW'(1);
        end
      end
      if (pop) begin
        out_nt_d = out_nt_q + NtW'(1);
        if (out_last_o) busy_d = 1'b0;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q   <= 1'b0;
      v1_q     <= 1'b0;
      v2_q     <= 1'b0;
      pend_q   <= '0;
    end else begin
      busy_q   <= busy_d;
      v1_q     <= issue;
      v2_q     <= v1_q;
      pend_q   <= pend_d;
    end
  end
  always_ff @(posedge clk_i) begin
    if (!busy_q && start_i) begin
      kg_n_q <= kg_n_d;
      nt_n_q <= nt_n_d;
    end
    is_g_q    <= is_g_d;
    is_nt_q   <= is_nt_d;
    is_addr_q <= is_addr_d;
    out_nt_q  <= out_nt_d;
    first1_q  <= is_g_q == '0;
    last1_q   <= issue_last;
    first2_q  <= first1_q;
    last2_q   <= last1_q;
  end
endmodule
