// hw_gemv — the decode matrix engine: one activation vector times a weight matrix, P x C multipliers fed straight
// from a weight port of P x C weight codes per cycle:
//
//   y[n] = sum_k W[n][k] * x[k]                       (docs/numerics.md §4: exact, ACC_W-bit accumulators)
//   y[n] = sum_g gs[n][g] * sum_{k in g} W[n][k] * x[k]   with group scales (GROUP_WORDS > 0; numerics §2)
//   y[n] = sum_g gs[n][g] * (sum_{k in g} U[n][k] * x[k] - z[n][g] * sum_{k in g} x[k])   with zero points
//          (ZERO_POINT: U unsigned W_BITS-bit codes, z the group's W_BITS-bit zero point; W = U - z)
//
// for runtime sizes 1 <= K <= K_MAX, 1 <= N <= N_MAX. W holds W_BITS-bit signed codes (out x in), x has A_W bits
// (signed); a group is GROUP_WORDS x P consecutive inputs of a row (the last of a row may be shorter), its scale an
// unsigned byte.
//
// Why this and not the weight-stationary array (hw_gemm) at decode: with one activation row every weight is used
// once per step, so loading it into a PE register first buys nothing, and a C-byte port can then keep only one PE
// row busy. Here each cycle's P x C weights meet P activations directly: activation j is broadcast along row j of
// the multipliers, and each of the C columns sums its P products in a balanced adder tree. With the widest port
// (P = R) every multiplier does a MAC every cycle of a matrix product.
//
// Memories (hw_sram macros; the host can write them, the weight banks and the group-scale ROM can start from
// generated images):
//   weight port  P banks of C codes of W_BITS bits per word (code c in bits [c*W_BITS +: W_BITS]), each its own macro
//                (or macros, banked by depth), initialised from "<W_FILE>_p<j>.hex", or "<W_FILE>_p<j>_bank<b>.hex"
//                when W_BANK_DEPTH splits it. A matrix starts at word w_base_i of every bank; group (nt, g), outputs
//                nt*C .. and inputs g*P .., is word w_base_i + nt*KG + g, bank j code c holding W[nt*C + c][g*P + j]
//                (zero outside W), KG = ceil(K / P), NT = ceil(N / C). generator/ writes this layout
//                (gen::gemv_weight_words).
//   group scales GROUP_WORDS > 0: GS_DEPTH words of C entries (GS_FILE); a matrix's scales start at word gs_base_i,
//                the scales of tile nt's group gi (inputs gi*GROUP_WORDS*P ..) at word gs_base_i + nt*NG + gi, entry
//                c = gs[nt*C + c][gi] (bits 7:0) and with ZERO_POINT z[nt*C + c][gi] above it (entry: 8 + W_BITS
//                bits; else 8), NG = ceil(KG / GROUP_WORDS) (gen::gemv_group_scale_words).
//   X buffer     P activations per word: word g holds x[g*P + j] in lane j (zero outside x).
//
// Pipeline: issue (read one word of every weight bank and one X word; a group's last word also reads its scales) ->
// products registered -> column sums added into C accumulators (with group scales: into C group sums, which a
// third stage scales and accumulates; the stages are C hw_gemv_column instances, one per output column, so synthesis
// maps one column and counts it C times); after a column tile's last group its C sums enter a 2-beat output FIFO.
// Issue of a tile's first group waits while the FIFO and the beats in flight would not leave room for its result, so
// back-pressure never drops a beat. Cost: NT*KG cycles plus 3 (with group scales 4) of latency when the consumer
// takes a beat at least every KG cycles: weight bits / (P*C*W_BITS), the weight-port bound.
//
// Interface: start_i (while !busy_o) with k_i/n_i/w_base_i/gs_base_i. The X buffer may be written at any time: the
// engine reads word g at the earliest g + 1 cycles after start_i, so a writer that writes word g no later than g
// cycles after start_i (a word per cycle from before the start) may start the engine early. Results leave as
// NT beats of C accumulators (lanes past N are zero), out_last_o on the final beat; out_valid/out_ready. issue_o tells
// an activity counter (hw_core's dbg_ev_o) the cycles that read the memories: NT*KG per job (gs_read_o: NT*NG).
module hw_gemv #(
  parameter int unsigned P            = 4,     // weight-port rows: inputs consumed per cycle
  parameter int unsigned C            = 4,     // output columns per cycle; a weight bank word is C codes
  parameter int unsigned W_BITS       = 8,     // weight code width: 4, 6 or 8
  parameter int unsigned GROUP_WORDS  = 0,     // input words (of P) per group scale; 0: none
  parameter int unsigned ZERO_POINT   = 0,     // 1 (with GROUP_WORDS > 0): unsigned codes and a zero point per group
  parameter int unsigned GS_DEPTH     = 0,     // GROUP_WORDS > 0: words of the group-scale ROM (C entries each)
  parameter              GS_FILE      = "",    // its image, optional
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
  input  logic [P*C*W_BITS-1:0] wmem_data_i, // bank j at [j*C*W_BITS +: C*W_BITS]
  input  logic               gsmem_we_i,      // GROUP_WORDS > 0: one word of the group-scale ROM
  input  logic [GsAddrW-1:0] gsmem_addr_i,
  input  logic [C*GsEntryW-1:0] gsmem_data_i,
  input  logic               xmem_we_i,
  input  logic [XAddrW-1:0]  xmem_addr_i,
  input  logic [P*A_W-1:0]   xmem_data_i,
  // job
  input  logic               start_i,
  input  logic [DimW-1:0]    k_i,
  input  logic [DimW-1:0]    n_i,
  input  logic [WAddrW-1:0]  w_base_i,
  input  logic [GsAddrW-1:0] gs_base_i,       // GROUP_WORDS > 0: the matrix's first group-scale word
  output logic               busy_o,
  output logic               issue_o,         // a weight word of every bank and an X word are read this cycle
  output logic               gs_read_o,       // the group-scale ROM is read this cycle (a group's last word)
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
  localparam bit          Zp        = ZERO_POINT != 0;
  localparam int unsigned ProdW     = A_W + W_BITS + (Zp ? 1 : 0);
  localparam int unsigned FifoDepth = 2;
  localparam bit          Grouped   = GROUP_WORDS > 0;
  localparam int unsigned GsAddrW   = (GS_DEPTH > 1) ? $clog2(GS_DEPTH) : 1;
  localparam int unsigned GcW       = (GROUP_WORDS > 1) ? $clog2(GROUP_WORDS) : 1;
  // A group's partial sum: GROUP_WORDS x P products of ProdW bits; with zero points, its sum of activations.
  localparam int unsigned GsumFull  = ProdW + $clog2(GROUP_WORDS * P + 1);
  localparam int unsigned GsumW     = (GsumFull < ACC_W) ? GsumFull : ACC_W;
  localparam int unsigned XgW       = A_W + $clog2(GROUP_WORDS * P + 1);
  localparam int unsigned XsW       = A_W + ((P > 1) ? $clog2(P) : 0);  // one word's sum of activations
  localparam int unsigned GsEntryW  = 8 + ((ZERO_POINT != 0) ? W_BITS : 0);  // a group's scale (and zero point)

  if (P < 1 || P > 256 || C < 1 || C > 256) begin : gen_check_shape
    $error("hw_gemv: P and C must be in 1..256");
  end
  if (K_MAX < 1 || N_MAX < 1 || W_DEPTH < NtMax || W_DEPTH < KgMax) begin : gen_check_dims
    $error("hw_gemv: K_MAX, N_MAX positive; W_DEPTH must hold a matrix of N_MAX rows and one of K_MAX columns");
  end
  if (ACC_W < ProdW || ACC_W > 64) begin : gen_check_acc
    $error("hw_gemv: ACC_W must hold a product (A_W + W_BITS bits) and be at most 64");
  end
  if (!(W_BITS == 4 || W_BITS == 6 || W_BITS == 8) || (Grouped && GS_DEPTH < 1) || (!Grouped && GS_DEPTH != 0) ||
      ZERO_POINT > 1 || (Zp && (!Grouped || W_BITS == 8)))
  begin : gen_check_format
    $error("hw_gemv: W_BITS must be 4, 6 or 8; GS_DEPTH > 0 exactly when GROUP_WORDS > 0; ZERO_POINT 0 or 1, and 1 needs group scales and 4 or 6 bits");
  end

  // ---- job and issue --------------------------------------------------------------------------------------------
  logic              busy_q, busy_d;
  logic [GW-1:0]     kg_n_q, kg_n_d, is_g_q, is_g_d;
  logic [NtW-1:0]    nt_n_q, nt_n_d, is_nt_q, is_nt_d, out_nt_q, out_nt_d;
  logic [WAddrW-1:0] is_addr_q, is_addr_d;
  logic [GcW-1:0]    is_gc_q, is_gc_d;      // the issued word's place in its group
  logic [GsAddrW-1:0] gs_addr_q, gs_addr_d;  // the group-scale word of the issued word's group
  logic              issue_glast;           // the issued word is its group's last (always, without group scales)
  logic              is_tg_q, is_tg_d;      // the issued word is in its tile's first group
  logic [1:0]        pend_q, pend_d;  // tiles whose last group is issued and whose beat is not yet in the FIFO
  logic              issue, issue_last, push, pop;
  logic [1:0]        fifo_count;
  logic              fifo_ready;  // always high when a beat arrives: issue reserved its slot
  localparam int unsigned CalcW = DimW + 10;  // ceil-divisions by P, C (<= 256) without overflow
  assign kg_n_d = GW'((CalcW'(k_i) + CalcW'(P - 1)) / CalcW'(P));
  assign nt_n_d = NtW'((CalcW'(n_i) + CalcW'(C - 1)) / CalcW'(C));

  assign issue_last = is_g_q == kg_n_q - GW'(1);
  assign issue_glast = !Grouped || issue_last || 32'(is_gc_q) == GROUP_WORDS - 1;
  assign issue = busy_q && is_nt_q < nt_n_q &&
                 (is_g_q != '0 || 3'(fifo_count) + 3'(pend_q) < 3'(FifoDepth));
  assign busy_o = busy_q;
  assign issue_o = issue;
  assign gs_read_o = Grouped && issue && issue_glast;

  // ---- memories -------------------------------------------------------------------------------------------------
  logic [P*C*W_BITS-1:0] w_rdata;
  logic [P*A_W-1:0] x_rdata;
  for (genvar j = 0; j < P; j++) begin : gen_bank
    hw_sram #(.WIDTH(C*W_BITS), .DEPTH(W_DEPTH), .BANK_DEPTH(W_BANK_DEPTH), .INIT_FILE(W_FILE), .INIT_PART(j)) u_wmem (
      .clk_i,
      .we_i   (wmem_we_i && !busy_q),
      .waddr_i(wmem_addr_i),
      .wdata_i(wmem_data_i[j*C*W_BITS +: C*W_BITS]),
      .wbe_i  ('1),
      .re_i   (issue),
      .raddr_i(is_addr_q),
      .rdata_o(w_rdata[j*C*W_BITS +: C*W_BITS]));
  end
  // Group scales (and zero points): read with a group's last word, held in stage 1 until stage 2 takes them.
  logic [C*GsEntryW-1:0] gs_rdata, gs1_q;
  if (Grouped) begin : gen_gs
    hw_sram #(.WIDTH(C*GsEntryW), .DEPTH(GS_DEPTH), .INIT_FILE(GS_FILE)) u_gsmem (
      .clk_i,
      .we_i   (gsmem_we_i && !busy_q),
      .waddr_i(gsmem_addr_i),
      .wdata_i(gsmem_data_i),
      .wbe_i  ('1),
      .re_i   (issue && issue_glast),
      .raddr_i(gs_addr_q),
      .rdata_o(gs_rdata));
  end else begin : gen_no_gs
    assign gs_rdata = '0;
    logic unused_gs;
    assign unused_gs = ^{gsmem_we_i, gsmem_addr_i, gsmem_data_i, gs_base_i, gs_addr_q, is_gc_q, gs1_q, gfirst2_q, tg2_q};
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

  // ---- stages 1 to 3: C columns (hw_gemv_column), each P products, their adder tree and its accumulator ----------
  // Per stage: valid, the tile's first and last word (or group), the group's first and last word.
  // (tg: the word is in the tile's first group.)
  logic               v1_q, first1_q, last1_q, gfirst1_q, glast1_q, tg1_q;
  logic               v2_q, first2_q, last2_q, gfirst2_q, glast2_q, tg2_q;
  logic               v3_q, first3_q, last3_q;
  logic [C*ACC_W-1:0] acc_d;  // every column's accumulator after this cycle's products (group scales: stage 3's)
  always_ff @(posedge clk_i) begin
    if (v1_q && glast1_q) gs1_q <= gs_rdata;
  end
  // With zero points: the group's sum of activations, one for every column, in step with the columns' group sums
  // (the word's sum registered with the products, summed over the group in stage 2, held for stage 3).
  logic [XgW-1:0] xg_q;
  if (Zp) begin : gen_xsum
    logic [XsW-1:0] xs, xs_q;
    logic [XgW-1:0] xpart, xpart_q;
    always_comb begin
      xs = '0;
      for (int j = 0; j < P; j++) xs = xs + XsW'($signed(x_rdata[j*A_W +: A_W]));
    end
    assign xpart = XgW'($signed(xs_q)) + (gfirst2_q ? XgW'(0) : xpart_q);
    always_ff @(posedge clk_i) begin
      if (v1_q) xs_q <= xs;
      if (v2_q) xpart_q <= xpart;
      if (v2_q && glast2_q) xg_q <= xpart;
    end
  end else begin : gen_no_xsum
    assign xg_q = '0;
  end
  for (genvar c = 0; c < C; c++) begin : gen_column
    logic [P*W_BITS-1:0] w_col;  // code j of bank j's word c: W[nt*C + c][g*P + j]
    for (genvar j = 0; j < P; j++) begin : gen_row
      assign w_col[j*W_BITS +: W_BITS] = w_rdata[(j*C + c)*W_BITS +: W_BITS];
    end
    logic [W_BITS-1:0] z_col;  // the column's zero point (with ZERO_POINT)
    if (Zp) begin : gen_z
      assign z_col = gs1_q[c*GsEntryW + 8 +: W_BITS];
    end else begin : gen_no_z
      assign z_col = '0;
    end
    hw_gemv_column #(.P(P), .A_W(A_W), .W_BITS(W_BITS), .ACC_W(ACC_W), .GROUPED(Grouped), .ZERO_POINT(Zp),
                     .GSUM_W(GsumW), .XG_W(XgW)) u_column (
      .clk_i,
      .prod_en_i    (v1_q),
      .acc_en_i     (v2_q),
      .first_i      (Grouped ? gfirst2_q : first2_q),
      .glast_i      (glast2_q),
      .gs_i         (gs1_q[c*GsEntryW +: 8]),
      .z_i          (z_col),
      .xg_i         (xg_q),
      .scale_en_i   (v3_q),
      .scale_first_i(first3_q),
      .x_i          (x_rdata),
      .w_i          (w_col),
      .sum_o        (acc_d[c*ACC_W +: ACC_W]));
  end
  assign push = Grouped ? v3_q && last3_q : v2_q && last2_q;

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
    is_gc_d   = is_gc_q;
    is_tg_d   = is_tg_q;
    gs_addr_d = gs_addr_q;
    out_nt_d  = out_nt_q;
    pend_d    = pend_q + 2'(issue && issue_last) - 2'(push);
    if (!busy_q) begin
      if (start_i) begin
        busy_d    = 1'b1;
        is_g_d    = '0;
        is_nt_d   = '0;
        is_addr_d = w_base_i;
        is_gc_d   = '0;
        is_tg_d   = 1'b1;
        gs_addr_d = gs_base_i;
        out_nt_d  = '0;
      end
    end else begin
      if (issue) begin
        is_addr_d = is_addr_q + WAddrW'(1);
        is_gc_d   = issue_glast ? '0 : is_gc_q + GcW'(1);
        if (issue_glast) gs_addr_d = gs_addr_q + GsAddrW'(1);
        if (issue_last) is_tg_d = 1'b1;
        else if (issue_glast) is_tg_d = 1'b0;
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
      v3_q     <= 1'b0;
      pend_q   <= '0;
    end else begin
      busy_q   <= busy_d;
      v1_q     <= issue;
      v2_q     <= v1_q;
      v3_q     <= Grouped && v2_q && glast2_q;
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
    is_gc_q   <= is_gc_d;
    is_tg_q   <= is_tg_d;
    gs_addr_q <= gs_addr_d;
    out_nt_q  <= out_nt_d;
    first1_q  <= is_g_q == '0;
    last1_q   <= issue_last;
    gfirst1_q <= is_gc_q == '0;
    glast1_q  <= issue_glast;
    tg1_q     <= is_tg_q;
    first2_q  <= first1_q;
    last2_q   <= last1_q;
    gfirst2_q <= gfirst1_q;
    glast2_q  <= glast1_q;
    tg2_q     <= tg1_q;
    // Stage 3 takes a group's sum: the tile's first group, its last.
    if (v2_q && glast2_q) begin
      first3_q <= tg2_q;
      last3_q  <= last2_q;
    end
  end
endmodule
