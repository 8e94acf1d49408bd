// hw_core_attention — attention for all heads of a layer at once: q . K for every head, N_HEADS softmax rows in
// lockstep, and P . V fused with the softmax's output (docs/architecture.md, "Attention"; numerics §8, §9).
//
// The KV cache holds one position's K (or V) row in ROW_WORDS words of LANES 16-bit lanes, each word KV_HEADS whole
// KV heads (LANES = KV_HEADS x HEAD_SIZE); the q buffer holds q in ROW_WORDS words of QLanes = LANES x KV_MUL lanes,
// word w the QHeads = KV_HEADS x KV_MUL query heads that share word w's KV heads (grouped-query attention: each KV
// head is read once for its KV_MUL query heads).
//
// SCORES (n_pos_i = pos + 1 positions): the reader delivers q word w and K word (t, w) together (read_valid_i), word
//   w = 0..ROW_WORDS-1 of every position t in turn. Each word gives QHeads dot products q_h . K_g[t] (QLanes
//   multipliers), requantized with the instruction's parameter word (param_i) and saturated to 16 bits (QHeads
//   hw_requant), which enter the softmax rows of heads w x QHeads + j (one hw_softmax per head, one row buffer each
//   of SUM_LANES banks, so that its exp-sum pass takes SUM_LANES elements per cycle; never stalled: a SCORES starts only when every row buffer is free, scores_ready_o). scores_done_o: the row's
//   last scores have entered the softmax (until the next setup_i).
// PV: the reader issues V word (t, w) only while the softmax rows of word w's heads all hold their next probability
//   (pv_issue_ready_o); the issue (issue_i) takes those probabilities, and when the word arrives QLanes multipliers
//   add p_h[t] x V_g[t] into head h's HEAD_SIZE accumulators (DIM = N_HEADS x HEAD_SIZE of them). After the last
//   word the accumulators leave in order, V per beat: with V > 1 through V hw_core_requant_lane (param_i, saturated to
//   out_bits_i; res_valid_o, res_o, lanes past DIM zero) 5 cycles after the last word and then one beat per cycle;
//   with V = 1 one accumulator per cycle for the requant feeder (acc_valid_o, acc_o).
// Units: one hw_core_attention_score per query head of a word (its dot product as hw_core_attention_dot chunks, its
// requantizer), one hw_softmax per head, one hw_core_attention_pv per accumulator (in groups, hw_core_attention_pv_group;
// the drain shifts them down by V lanes a beat); synthesis maps each once and counts it.
// Debug taps: every score beat (score_valid_o: position, first head, QHeads values) and every probability beat the
// PV takes (prob_valid_o, likewise).
module hw_core_attention #(
  parameter int unsigned LANES     = 8,    // KV-word lanes: KV_HEADS x HEAD_SIZE
  parameter int unsigned HEAD_SIZE = 8,
  parameter int unsigned KV_MUL    = 1,    // query heads per KV head
  parameter int unsigned ROW_WORDS = 1,    // KV words per position
  parameter int unsigned SEQ_LEN   = 64,
  parameter int unsigned MAC_ACC_W = 40,
  parameter int unsigned V         = 1,    // accumulators per result beat (1: serial, through the requant feeder)
  parameter int unsigned SUM_LANES = 4,    // the softmax's exp-sum elements per cycle (hw_softmax SUM_LANES)
  parameter              EXP2_FILE = "exp2.hex"
) (
  input  logic                        clk_i,
  input  logic                        rst_ni,
  input  logic                        setup_i,
  input  logic                        scores_i,
  input  logic                        pv_i,
  input  logic [31:0]                 n_pos_i,        // positions of this step's rows: pos + 1
  input  logic [39:0]                 param_i,        // the instruction's requant word {rshift[36:31], mult[30:0]}
  input  logic [5:0]                  out_bits_i,
  // the reader
  output logic                        scores_ready_o,
  output logic                        pv_issue_ready_o,
  input  logic                        issue_i,
  input  logic                        read_valid_i,
  input  logic [LANES*KV_MUL*16-1:0]  q_word_i,
  input  logic [LANES*16-1:0]         kv_word_i,
  output logic                        scores_done_o,
  output logic                        idle_o,
  // results
  output logic                        res_valid_o,
  output logic [V*32-1:0]             res_o,
  output logic                        acc_valid_o,
  output logic signed [MAC_ACC_W-1:0] acc_o,
  // debug taps
  output logic                        score_valid_o,
  output logic [31:0]                 score_pos_o,
  output logic [31:0]                 score_head_o,
  output logic [LANES/HEAD_SIZE*KV_MUL*32-1:0] score_o,
  output logic                        prob_valid_o,
  output logic [31:0]                 prob_pos_o,
  output logic [31:0]                 prob_head_o,
  output logic [LANES/HEAD_SIZE*KV_MUL*32-1:0] prob_o
);
  localparam int unsigned KvHeads = LANES / HEAD_SIZE;
  localparam int unsigned QHeads  = KvHeads * KV_MUL;           // query heads per word
  localparam int unsigned NHeads  = QHeads * ROW_WORDS;
  localparam int unsigned Dim     = NHeads * HEAD_SIZE;
  localparam int unsigned Beats   = (Dim + V - 1) / V;
  localparam int unsigned WordW   = (ROW_WORDS > 1) ? $clog2(ROW_WORDS) : 1;
  localparam int unsigned BeatW   = $clog2(Beats + 1);
  if (LANES % HEAD_SIZE != 0 || LANES < HEAD_SIZE) begin : gen_check_lanes
    $error("hw_core_attention: LANES must be a multiple of HEAD_SIZE (whole KV heads per word)");
  end
  if (KV_MUL < 1 || ROW_WORDS < 1 || V < 1) begin : gen_check_counts
    $error("hw_core_attention: KV_MUL, ROW_WORDS and V must be at least 1");
  end

  // ---- word and position counters of the reads arriving (both ops) and of PV's issues ---------------------------
  logic [WordW-1:0] rd_w_q, iss_w_q;
  logic [31:0]      rd_t_q, iss_t_q;
  logic             rd_word_last, rd_pos_last, iss_word_last;
  assign rd_word_last  = 32'(rd_w_q) == ROW_WORDS - 1;
  assign rd_pos_last   = rd_t_q == n_pos_i - 32'd1;
  assign iss_word_last = 32'(iss_w_q) == ROW_WORDS - 1;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rd_w_q  <= '0;
      rd_t_q  <= '0;
      iss_w_q <= '0;
      iss_t_q <= '0;
    end else if (setup_i) begin
      rd_w_q  <= '0;
      rd_t_q  <= '0;
      iss_w_q <= '0;
      iss_t_q <= '0;
    end else begin
      if (read_valid_i && (scores_i || pv_i)) begin
        rd_w_q <= rd_word_last ? '0 : rd_w_q + WordW'(1);
        if (rd_word_last) rd_t_q <= rd_t_q + 32'd1;
      end
      if (issue_i && pv_i) begin
        iss_w_q <= iss_word_last ? '0 : iss_w_q + WordW'(1);
        if (iss_word_last) iss_t_q <= iss_t_q + 32'd1;
      end
    end
  end

  // ---- stage 1: SCORES' dot products of the words read (QLanes multipliers), or PV's V word and probabilities -----
  // Each is computed only in the cycles that need it (also what keeps the simulation of a wide unit fast).
  logic                        s1_valid_q, s1_last_q;
  logic [WordW-1:0]            s1_w_q;
  logic [31:0]                 s1_t_q;
  logic [LANES*16-1:0]         s1_kv_q;
  logic [QHeads*9-1:0]         s1_p_q, take_p_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) s1_valid_q <= 1'b0;
    else         s1_valid_q <= read_valid_i && (scores_i || pv_i) && !setup_i;
  end
  always_ff @(posedge clk_i) begin
    if (read_valid_i) begin
      s1_w_q    <= rd_w_q;
      s1_t_q    <= rd_t_q;
      s1_last_q <= rd_word_last && rd_pos_last;
    end
    if (read_valid_i && pv_i) s1_p_q <= take_p_q;
  end

  // PV's V word, one register (hw_flop_en) per KV head.
  for (genvar g = 0; g < KvHeads; g++) begin : gen_kv_reg
    hw_flop_en #(.WIDTH(HEAD_SIZE*16)) u_kv (
      .clk_i, .en_i(read_valid_i && pv_i), .d_i(kv_word_i[g*HEAD_SIZE*16 +: HEAD_SIZE*16]),
      .q_o(s1_kv_q[g*HEAD_SIZE*16 +: HEAD_SIZE*16]));
  end

  // ---- SCORES: the dot products requantized into the softmax rows -------------------------------------------------
  logic                  sc_go;
  logic [QHeads-1:0]     sc_valid;
  logic [QHeads*32-1:0]  sc_z;
  assign sc_go = s1_valid_q && scores_i;
  // One hw_core_attention_score per query head of a word: its dot product with its KV head's K (g = h / KV_MUL)
  // registered in stage 1, then requantized and saturated to 16 bits.
  for (genvar j = 0; j < QHeads; j++) begin : gen_score
    hw_core_attention_score #(.HEAD_SIZE(HEAD_SIZE), .MAC_ACC_W(MAC_ACC_W)) u_score (
      .clk_i, .rst_ni,
      .en_i    (read_valid_i && scores_i),
      .go_i    (sc_go),
      .q_i     (q_word_i[j*HEAD_SIZE*16 +: HEAD_SIZE*16]),
      .k_i     (kv_word_i[(j / KV_MUL)*HEAD_SIZE*16 +: HEAD_SIZE*16]),
      .mult_i  (param_i[30:0]),
      .rshift_i(param_i[36:31]),
      .valid_o (sc_valid[j]),
      .z_o     (sc_z[j*32 +: 32]));
  end
  // The word, position and last mark of each score beat, along hw_requant's two stages.
  logic [WordW-1:0] sc_w1_q, sc_w2_q;
  logic [31:0]      sc_t1_q, sc_t2_q;
  logic             sc_l1_q, sc_l2_q, done_q;
  always_ff @(posedge clk_i) begin
    sc_w1_q <= s1_w_q;
    sc_t1_q <= s1_t_q;
    sc_l1_q <= s1_last_q;
    sc_w2_q <= sc_w1_q;
    sc_t2_q <= sc_t1_q;
    sc_l2_q <= sc_l1_q;
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni)                     done_q <= 1'b0;
    else if (setup_i)                done_q <= 1'b0;
    else if (sc_valid[0] && sc_l2_q) done_q <= 1'b1;
  end
  assign scores_done_o = done_q;
  assign score_valid_o = sc_valid[0];
  assign score_pos_o   = sc_t2_q;
  assign score_head_o  = 32'(sc_w2_q) * QHeads;
  assign score_o       = sc_z;

  // ---- the softmax rows: one hw_softmax (one row buffer) per head -------------------------------------------------
  logic [NHeads-1:0]   sm_in_ready, sm_out_valid, sm_out_ready, sm_out_last_unused, sm_idle;
  logic [NHeads*8-1:0] sm_p;
  for (genvar h = 0; h < NHeads; h++) begin : gen_head
    localparam int unsigned W = h / QHeads, J = h % QHeads;
    hw_softmax #(.MAX_LEN(SEQ_LEN), .NUM_BUF(1), .SUM_LANES(SUM_LANES), .EXP2_FILE(EXP2_FILE)) u_softmax (
      .clk_i, .rst_ni,
      .in_valid_i(sc_valid[J] && 32'(sc_w2_q) == W), .in_ready_o(sm_in_ready[h]), .z_i(sc_z[J*32 +: 16]),
      .in_last_i(sc_t2_q == n_pos_i - 32'd1),
      .out_valid_o(sm_out_valid[h]), .out_ready_i(sm_out_ready[h]), .p_o(sm_p[h*8 +: 8]),
      .out_last_o(sm_out_last_unused[h]), .idle_o(sm_idle[h]));
    assign sm_out_ready[h] = pv_i && issue_i && 32'(iss_w_q) == W;
  end
  assign scores_ready_o = &sm_in_ready;

  // PV issues word w when its heads' probabilities are all there; the issue takes them.
  logic [QHeads*9-1:0] take_p;
  always_comb begin
    pv_issue_ready_o = 1'b1;
    take_p           = '0;
    for (int w = 0; w < ROW_WORDS; w++) begin
      if (32'(iss_w_q) == w) begin
        for (int j = 0; j < QHeads; j++) begin
          if (!sm_out_valid[w*QHeads + j]) pv_issue_ready_o = 1'b0;
          take_p[j*9 +: 9] = {1'b0, sm_p[(w*QHeads + j)*8 +: 8]};
        end
      end
    end
  end
  always_ff @(posedge clk_i) begin
    if (issue_i && pv_i) take_p_q <= take_p;
  end
  logic prob_valid_q;
  logic [31:0] prob_pos_q, prob_head_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) prob_valid_q <= 1'b0;
    else         prob_valid_q <= issue_i && pv_i;
  end
  always_ff @(posedge clk_i) begin
    if (issue_i && pv_i) begin
      prob_pos_q  <= iss_t_q;
      prob_head_q <= 32'(iss_w_q) * QHeads;
    end
  end
  assign prob_valid_o = prob_valid_q;
  assign prob_pos_o   = prob_pos_q;
  assign prob_head_o  = prob_head_q;
  always_comb begin
    for (int j = 0; j < QHeads; j++) prob_o[j*32 +: 32] = {23'd0, take_p_q[j*9 +: 9]};
  end

  // ---- PV: QLanes products a cycle into the DIM accumulators (hw_core_attention_pv), which also form the drain's
  // shift chain: after the last word, Beats beats of V accumulators, one per cycle; each beat takes the lowest V
  // accumulators (registered in beat_acc the cycle after its turn) while the row shifts down by V lanes. The
  // accumulators sit in NGroups equal hw_core_attention_pv_group of GroupH query heads each: the fewest heads that
  // make at least max(V, sqrt(Dim x V)) accumulators (so that neither this module nor a group is large), lie within
  // one KV word or cover whole words, and share whole KV heads.
  function automatic int unsigned group_heads();
    int unsigned target, qh;
    target = V;
    while (target * target < Dim * V) target = 2 * target;
    group_heads = NHeads;
    for (int unsigned h = NHeads; h >= 1; h--) begin
      qh = (h < QHeads) ? h : QHeads;
      if (NHeads % h == 0 && (QHeads % h == 0 || h % QHeads == 0) && (qh % KV_MUL == 0 || KV_MUL % qh == 0) &&
          h * HEAD_SIZE >= target)
        group_heads = h;
    end
  endfunction
  localparam int unsigned GroupH  = group_heads();
  localparam int unsigned GroupQH = (GroupH < QHeads) ? GroupH : QHeads;  // heads per part (one word's, at most)
  localparam int unsigned GroupK  = GroupH / GroupQH;                     // parts: KV words
  localparam int unsigned GroupKV = (GroupQH + KV_MUL - 1) / KV_MUL;      // KV heads of a part
  localparam int unsigned NGroups = NHeads / GroupH;
  localparam int unsigned GroupN  = GroupH * HEAD_SIZE;
  if (NGroups > 1 && GroupN < V) begin : gen_check_groups
    $error("hw_core_attention: a PV group must hold at least V accumulators");
  end
  logic                     pv_go, drain_q, drain_d, beat_valid_q;
  logic [BeatW-1:0]         beat_q, beat_d;
  logic [ROW_WORDS-1:0]     word_en;  // PV accumulates word w's heads this cycle
  logic [(NGroups+1)*V*MAC_ACC_W-1:0] group_first;  // group g's first V accumulators; past the last group, zero
  assign pv_go = s1_valid_q && pv_i;
  always_comb begin
    for (int w = 0; w < ROW_WORDS; w++) word_en[w] = pv_go && 32'(s1_w_q) == w;
  end
  assign group_first[NGroups*V*MAC_ACC_W +: V*MAC_ACC_W] = '0;
  for (genvar g = 0; g < NGroups; g++) begin : gen_pv_group
    localparam int unsigned Head0 = g * GroupH;              // its first head: word Head0 / QHeads, head J0 there
    localparam int unsigned Word0 = Head0 / QHeads, J0 = Head0 % QHeads;
    hw_core_attention_pv_group #(.H(GroupH), .QH(GroupQH), .HEAD_SIZE(HEAD_SIZE), .KV_MUL(KV_MUL), .V(V),
                                 .ACC_W(MAC_ACC_W)) u_group (
      .clk_i,
      .en_i      (word_en[Word0 +: GroupK]),
      .first_i   (s1_t_q == '0),
      .p_i       (s1_p_q[J0*9 +: GroupQH*9]),
      .kv_i      (s1_kv_q[(J0 / KV_MUL)*HEAD_SIZE*16 +: GroupKV*HEAD_SIZE*16]),
      .shift_i   (drain_q),
      .shift_in_i(group_first[(g + 1)*V*MAC_ACC_W +: V*MAC_ACC_W]),
      .first_o   (group_first[g*V*MAC_ACC_W +: V*MAC_ACC_W]));
  end
  always_comb begin
    drain_d = drain_q;
    beat_d  = beat_q;
    if (pv_go && s1_last_q) begin
      drain_d = 1'b1;
      beat_d  = '0;
    end else if (drain_q) begin
      beat_d = beat_q + BeatW'(1);
      if (32'(beat_q) == Beats - 1) drain_d = 1'b0;
    end
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      drain_q      <= 1'b0;
      beat_q       <= '0;
      beat_valid_q <= 1'b0;
    end else begin
      drain_q      <= drain_d;
      beat_q       <= beat_d;
      beat_valid_q <= drain_q;
    end
  end
  logic [V*MAC_ACC_W-1:0] beat_acc;
  always_ff @(posedge clk_i) begin
    if (drain_q) begin
      beat_acc <= group_first[V*MAC_ACC_W-1:0];
    end
  end
  if (V > 1) begin : gen_vec_out
    logic [V-1:0] lane_valid;
    for (genvar l = 0; l < V; l++) begin : gen_lane
      hw_core_requant_lane #(.ACC_W(MAC_ACC_W)) u_lane (
        .clk_i, .rst_ni, .valid_i(beat_valid_q), .acc_i(beat_acc[l*MAC_ACC_W +: MAC_ACC_W]),
        .param_i({out_bits_i, 3'b000, param_i[36:0]}), .valid_o(lane_valid[l]), .result_o(res_o[l*32 +: 32]));
    end
    assign res_valid_o = lane_valid[0];
    assign acc_valid_o = 1'b0;
    assign acc_o       = '0;
    logic unused_vec;
    assign unused_vec = ^lane_valid;
  end else begin : gen_serial_out
    assign res_valid_o = 1'b0;
    assign res_o       = '0;
    assign acc_valid_o = beat_valid_q;
    assign acc_o       = beat_acc[MAC_ACC_W-1:0];
  end
  assign idle_o = (&sm_idle) && !drain_q && !beat_valid_q;

  logic unused;
  assign unused = ^{sm_out_last_unused, param_i[39:37], out_bits_i, sc_l2_q};
endmodule
