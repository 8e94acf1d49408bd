// hw_core — the whole accelerator: one decode step per host request, (token, position) in, int32 logits and the
// argmax token out. Every weight lives in on-chip SRAM (the GEMM engine's banked weight SRAM and the embedding
// SRAM, both initialised from generated images); the KV cache is on chip; the model's schedule is a microcode
// program in a ROM (PROG_FILE) that the generator emits. Arithmetic is docs/numerics.md, bit for bit.
//
// Datapath. A 32-bit scratchpad holds the step's vectors (residual x, normalized xn, q, k, v, probabilities, attention
// output, branch output, gate, up, h, logits; the generator places them). It has two read ports (two macro copies
// written together) and one write port. Every instruction streams elements: a reader walks two nested loops
// (n_outer x n_inner) over source A (scratchpad, or the lane-packed q buffer) and source B (scratchpad, KV cache or
// embedding SRAM), one element pair per cycle. Scalar pairs go through a 4-entry FIFO (so units that stall lose
// nothing); attention reads LANES-wide words (16-bit lanes; a head is HeadWords = ceil(HEAD_SIZE / LANES) words) and
// feeds the vector MAC directly. A consumer per instruction takes them:
//
//   op        consumer                                          result (written to dst + i, or the KV cache)
//   EMBED     MAC (1 * E[tok][i]) -> requant (per token row)     residual x
//   NORM      hw_rmsnorm (constants from the norm ROM)           xn
//   MATVEC    pack R per word into hw_gemm's X buffer, run the    N per-channel requantized outputs
//             array, serialize the C-wide result beats -> requant
//   ROPE      hw_rope at the step's position                     q or k, saturated to the site width
//   COPYKV    pack LANES per word, per head                       KV cache row of this position (words)
//   PACKQ     pack LANES per word, per head                       the q buffer (words)
//   SCORES    LANES-wide dot products q . K[t] -> requant -> sat16  pos+1 scores into hw_softmax; its probabilities
//             are written to dst by the softmax writer, while the next SCORES already runs (up to 4 rows in flight)
//   PV        LANES accumulators p[t] * V[t][d..], serialized     attention output of one head
//             -> requant
//   SWIGLU    MAC (SILU[gate + 128] * up) -> requant              h
//   RESADD    saturating add                                     residual x
//   OUTPUT    host stream, running argmax                        (vocab logits, then the token; ends the step)
//
// One instruction runs at a time; an instruction is done when it has written its n_out results (SCORES: pushed its
// n_out scores). Every instruction but SCORES starts only when the softmax has written all its rows, and a SCORES
// only when the softmax has a free row buffer. Field value 0 of n_inner, n_outer or n_out means pos + 1 (the
// attention row length). The instruction set (op codes, fields, flags) is hw_isa_pkg, generated from
// generator/include/hardwire/gen/isa.def with every field as wide as the design's program needs; docs/architecture.md
// has its table, generator/src/program.cpp writes the program and program.lst lists it.
//
// Host interface: in_valid/in_ready with (token, pos), accepted when idle; out_valid/out_ready streams VOCAB int32
// logits, then one beat holding the argmax token id (lowest index wins ties) with out_last_o. Debug taps report every
// result written (dbg_res_*) and every attention score (dbg_aux_*) with the program counter, so a harness can name
// the first value that differs from the golden model.
module hw_core #(
  // array and GEMM engine
  parameter int unsigned R             = 8,
  parameter int unsigned C             = 8,
  parameter int unsigned A_W           = 16,    // array activation width
  parameter int unsigned ACC_W         = 32,    // array accumulator width
  parameter int unsigned K_MAX         = 64,
  parameter int unsigned N_MAX         = 64,
  parameter int unsigned W_DEPTH       = 1024,  // weight SRAM words of C bytes
  parameter int unsigned W_BANK_DEPTH  = 0,
  parameter int unsigned NUM_BANKS     = 3,     // weight banks per PE (3: decode tile loads run two tiles ahead)
  parameter              W_FILE        = "mem/weights.hex",
  // model
  parameter int unsigned DIM           = 32,
  parameter int unsigned N_LAYERS      = 2,
  parameter int unsigned HEAD_SIZE     = 8,
  parameter int unsigned N_HEADS       = 4,
  parameter int unsigned N_KV_HEADS    = 2,
  parameter int unsigned LANES         = 8,     // attention lanes (16 bits each)
  parameter int unsigned VOCAB         = 100,
  parameter int unsigned SEQ_LEN       = 64,
  parameter int unsigned RES_W         = 16,
  parameter int unsigned XN_W          = 8,
  parameter int unsigned ROPE_W        = 16,    // max(q, k) width
  parameter int unsigned MAC_ACC_W     = 40,    // attention / SwiGLU / embedding accumulator
  parameter int unsigned RQ_ACC_W      = 40,    // requantizer input: max(ACC_W, MAC_ACC_W)
  // memories
  parameter int unsigned SCRATCH_DEPTH = 1024,
  parameter int unsigned KV_DEPTH      = 4096,  // 2 * N_LAYERS * SEQ_LEN * N_KV_HEADS * HeadWords words of LANES x 16
  parameter int unsigned EMB_DEPTH     = 400,   // VOCAB * EMB_WPR words of C bytes
  parameter int unsigned EMB_WPR       = 4,     // embedding words per token row: ceil(DIM / C)
  parameter int unsigned EMB_BANK_DEPTH = 0,
  parameter              EMB_FILE      = "mem/embedding.hex",
  parameter int unsigned RQ_DEPTH      = 1024,
  parameter              RQ_FILE       = "mem/requant.hex",
  parameter int unsigned NORM_DEPTH    = 5,
  parameter              NORM_FILE     = "mem/norms.hex",
  parameter              SILU_FILE     = "mem/silu.hex",
  parameter              EXP2_FILE     = "mem/exp2.hex",
  parameter              COS_FILE      = "mem/rope_cos.hex",
  parameter              SIN_FILE      = "mem/rope_sin.hex",
  parameter int unsigned PROG_DEPTH    = 64,
  parameter              PROG_FILE     = "mem/program.hex"
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  // host: one decode step per request
  input  logic              in_valid_i,
  output logic              in_ready_o,
  input  logic [TokW-1:0]   in_token_i,
  input  logic [PosW-1:0]   in_pos_i,
  output logic              out_valid_o,
  input  logic              out_ready_i,
  output logic [31:0]       out_data_o,   // a logit, or the argmax token id on the last beat
  output logic              out_last_o,
  // status and debug taps
  output logic              busy_o,
  output logic [PcW-1:0]    pc_o,
  output logic              dbg_res_valid_o,
  output logic [31:0]       dbg_res_idx_o,
  output logic [31:0]       dbg_res_data_o,
  output logic              dbg_aux_valid_o,
  output logic [31:0]       dbg_aux_idx_o,
  output logic [31:0]       dbg_aux_data_o,
  output logic              dbg_prob_valid_o,
  output logic [31:0]       dbg_prob_addr_o,
  output logic [31:0]       dbg_prob_data_o
);
  localparam int unsigned TokW   = (VOCAB > 1) ? $clog2(VOCAB) : 1;
  localparam int unsigned PosW   = (SEQ_LEN > 1) ? $clog2(SEQ_LEN) : 1;
  localparam int unsigned PcW    = (PROG_DEPTH > 1) ? $clog2(PROG_DEPTH) : 1;
  localparam int unsigned SAddrW = (SCRATCH_DEPTH > 1) ? $clog2(SCRATCH_DEPTH) : 1;
  localparam int unsigned KAddrW = (KV_DEPTH > 1) ? $clog2(KV_DEPTH) : 1;
  localparam int unsigned EAddrW = (EMB_DEPTH > 1) ? $clog2(EMB_DEPTH) : 1;
  localparam int unsigned QAddrW = (RQ_DEPTH > 1) ? $clog2(RQ_DEPTH) : 1;
  localparam int unsigned NAddrW = (NORM_DEPTH > 1) ? $clog2(NORM_DEPTH) : 1;
  localparam int unsigned LAddrW = $clog2(N_LAYERS * 256);
  localparam int unsigned LaneW  = (C > 1) ? $clog2(C) : 1;
  localparam int unsigned RowW   = (R > 1) ? $clog2(R) : 1;
  // hw_gemm's port widths (M_MAX = 1: one activation row per job)
  localparam int unsigned KtMax  = (K_MAX + R - 1) / R;
  localparam int unsigned WAddrW = (W_DEPTH > 1) ? $clog2(W_DEPTH) : 1;
  localparam int unsigned XAddrW = (KtMax > 1) ? $clog2(KtMax) : 1;
  localparam int unsigned MaxDim = (K_MAX > N_MAX) ? K_MAX : N_MAX;
  localparam int unsigned DimW   = $clog2(MaxDim + 1);
  localparam int unsigned HeadWords = (HEAD_SIZE + LANES - 1) / LANES;  // words per head (K, V, q)
  localparam int unsigned KvRowWords = N_KV_HEADS * HeadWords;          // KV cache words per position
  localparam int unsigned QvDepth  = N_HEADS * HeadWords;
  localparam int unsigned QvAddrW  = (QvDepth > 1) ? $clog2(QvDepth) : 1;
  localparam int unsigned VLaneW   = (LANES > 1) ? $clog2(LANES) : 1;
  localparam int unsigned VpkTapW  = (LANES > 1) ? 32 : 16;  // packed-word bits shown on the result tap
  localparam int unsigned HsW      = $clog2(HEAD_SIZE + 1);
  localparam int unsigned InstrW = hw_isa_pkg::InstrW;
  localparam int unsigned FifoW  = 2 + 32 + 32;

  if (RQ_ACC_W < ACC_W || RQ_ACC_W < MAC_ACC_W || RQ_ACC_W > 64 || MAC_ACC_W < 34 || MAC_ACC_W > 64) begin : gen_check_acc
    $error("hw_core: need 34 <= MAC_ACC_W <= 64 and max(ACC_W, MAC_ACC_W) <= RQ_ACC_W <= 64");
  end
  if (LANES < 1 || LANES > 256 || N_HEADS % N_KV_HEADS != 0) begin : gen_check_lanes
    $error("hw_core: LANES must be in 1..256 and N_KV_HEADS must divide N_HEADS");
  end
  if (XN_W > A_W || ROPE_W > 16 || RES_W > 16) begin : gen_check_widths
    $error("hw_core: XN_W must fit the array (<= A_W); ROPE_W and RES_W at most 16");
  end

  // Saturates a 32-bit value to `bits` (8, 16 or 32) two's-complement bits.
  function automatic logic [31:0] sat_to(input logic signed [32:0] v, input logic [5:0] bits);
    logic signed [32:0] hi, lo;
    hi = (33'sd1 <<< (bits - 6'd1)) - 33'sd1;
    lo = -(33'sd1 <<< (bits - 6'd1));
    if (v > hi)      sat_to = hi[31:0];
    else if (v < lo) sat_to = lo[31:0];
    else             sat_to = v[31:0];
  endfunction

  // ---- sequencer ------------------------------------------------------------------------------------------------
  typedef enum logic [2:0] {SIdle, SFetch, SDecode, SSetup, SExec} seq_e;
  seq_e            st_q;
  logic [PcW-1:0]  pc_q;
  logic [TokW-1:0] tok_q;
  logic [PosW-1:0] pos_q;
  logic            op_done;

  // Program ROM.
  logic [InstrW-1:0] prog_rdata;
  hw_sram #(.WIDTH(InstrW), .DEPTH(PROG_DEPTH), .INIT_FILE(PROG_FILE)) u_prog (
    .clk_i, .we_i(1'b0), .waddr_i('0), .wdata_i('0), .wbe_i('0),
    .re_i(st_q == SFetch), .raddr_i(pc_q), .rdata_o(prog_rdata));

  // The fetched instruction, in hw_isa_pkg's layout (isa.def).
  hw_isa_pkg::instr_t instr;
  assign instr = prog_rdata;

  // Decoded instruction (registers written in SDecode; pos + 1 substituted for the 0 lengths, bases adjusted).
  hw_isa_pkg::op_e op_q;
  logic [31:0] a_base_q, a_si_q, a_so_q, b_base_q, b_si_q, b_so_q;
  logic [31:0] n_inner_q, n_outer_q, n_out_q, dst_q, rq_base_q;
  logic [hw_isa_pkg::WBaseW-1:0]     w_base_q;
  logic [hw_isa_pkg::SiluLayerW-1:0] silu_layer_q;
  logic [5:0]  out_bits_q;
  logic [31:0] n_pos, tok_row, pos_row;
  assign n_pos   = 32'(pos_q) + 32'd1;
  assign tok_row = 32'(tok_q) * 32'(EMB_WPR);
  assign pos_row = 32'(pos_q) * 32'(KvRowWords);

  // ---- norm constants ROM: {eps[39:0], 2'b0, shift[5:0], gain[23:0]} ------------------------------------------
  logic [71:0] norm_rdata;
  hw_sram #(.WIDTH(72), .DEPTH(NORM_DEPTH), .INIT_FILE(NORM_FILE)) u_norms (
    .clk_i, .we_i(1'b0), .waddr_i('0), .wdata_i('0), .wbe_i('0),
    .re_i(st_q == SDecode), .raddr_i(NAddrW'(instr.norm_index)), .rdata_o(norm_rdata));

  // ---- reader: two nested loops over sources A and B -----------------------------------------------------------
  logic        rd_active_q, rd_issue, rd_last_i;
  logic        pv_busy_q;  // PV: a head word is being accumulated or serialized
  logic [31:0] rd_i_q, rd_o_q, a_row_q, a_cur_q, b_row_q, b_cur_q, b_step_o;
  logic [LaneW-1:0] emb_lane_q;
  logic        rd1_valid_q, rd1_first_q, rd1_last_q;
  logic [LaneW-1:0] rd1_lane_q;
  logic [2:0]  fifo_count;
  logic        fifo_valid, fifo_ready, fifo_pop;
  logic [FifoW-1:0] fifo_in, fifo_out;
  logic        pop_first, pop_last;
  logic [31:0] pop_a, pop_b;

  assign rd_last_i = rd_i_q == n_inner_q - 32'd1;
  // Issue while the FIFO has room for this read and the one already in flight.
  assign rd_issue  = rd_active_q && (32'(fifo_count) + 32'(rd1_valid_q) < 32'd3) &&
                     !(op_q == hw_isa_pkg::OpPv && rd_i_q == '0 && pv_busy_q);
  // EMBED walks the C lanes of each embedding word, one element per cycle.
  assign b_step_o  = (op_q == hw_isa_pkg::OpEmbed) ? ((emb_lane_q == LaneW'(C - 1)) ? 32'd1 : 32'd0) : b_so_q;

  // ---- scratchpad (2 read ports, 1 write port), KV cache, embedding, tables --------------------------------------
  logic        res_valid, scr_we, kv_we, qv_we;
  logic [31:0] res_data, res_cnt_q;
  logic [31:0] scr_a_rdata, scr_b_rdata;
  logic [LANES*16-1:0] kv_rdata, qv_rdata, vpk_d;
  logic [C*8-1:0] emb_rdata;
  logic        use_b_scr, use_kv, use_emb, is_vec, is_pack;
  assign use_b_scr = op_q == hw_isa_pkg::OpSwiglu || op_q == hw_isa_pkg::OpResadd;
  assign use_kv    = op_q == hw_isa_pkg::OpScores || op_q == hw_isa_pkg::OpPv;
  assign use_emb   = op_q == hw_isa_pkg::OpEmbed;
  assign is_vec    = op_q == hw_isa_pkg::OpScores || op_q == hw_isa_pkg::OpPv;      // LANES-wide operands, straight to the vector MAC
  assign is_pack   = op_q == hw_isa_pkg::OpCopyKv || op_q == hw_isa_pkg::OpPackQ;   // results are packed words
  // The scratchpad's write port: the softmax writer (probabilities of an earlier SCORES) or this instruction's results
  // (never both: only SCORES runs while the softmax writes).
  logic        smw_we, scr_port_we;
  logic [31:0] smw_addr, scr_waddr, scr_wdata;
  assign scr_we      = res_valid && !is_pack;
  assign scr_port_we = scr_we || smw_we;
  assign scr_waddr   = smw_we ? smw_addr : dst_q + res_cnt_q;
  assign kv_we     = res_valid && op_q == hw_isa_pkg::OpCopyKv;
  assign qv_we     = res_valid && op_q == hw_isa_pkg::OpPackQ;

  hw_sram #(.WIDTH(32), .DEPTH(SCRATCH_DEPTH)) u_scratch_a (
    .clk_i, .we_i(scr_port_we), .waddr_i(SAddrW'(scr_waddr)), .wdata_i(scr_wdata), .wbe_i('1),
    .re_i(rd_issue), .raddr_i(SAddrW'(a_cur_q)), .rdata_o(scr_a_rdata));
  hw_sram #(.WIDTH(32), .DEPTH(SCRATCH_DEPTH)) u_scratch_b (
    .clk_i, .we_i(scr_port_we), .waddr_i(SAddrW'(scr_waddr)), .wdata_i(scr_wdata), .wbe_i('1),
    .re_i(rd_issue && use_b_scr), .raddr_i(SAddrW'(b_cur_q)), .rdata_o(scr_b_rdata));
  hw_sram #(.WIDTH(LANES*16), .DEPTH(KV_DEPTH)) u_kv (
    .clk_i, .we_i(kv_we), .waddr_i(KAddrW'(dst_q + res_cnt_q)), .wdata_i(vpk_d), .wbe_i('1),
    .re_i(rd_issue && use_kv), .raddr_i(KAddrW'(b_cur_q)), .rdata_o(kv_rdata));
  hw_sram #(.WIDTH(LANES*16), .DEPTH(QvDepth)) u_qv (
    .clk_i, .we_i(qv_we), .waddr_i(QvAddrW'(res_cnt_q)), .wdata_i(vpk_d), .wbe_i('1),
    .re_i(rd_issue && op_q == hw_isa_pkg::OpScores), .raddr_i(QvAddrW'(a_cur_q)), .rdata_o(qv_rdata));
  hw_sram #(.WIDTH(C*8), .DEPTH(EMB_DEPTH), .BANK_DEPTH(EMB_BANK_DEPTH), .INIT_FILE(EMB_FILE)) u_emb (
    .clk_i, .we_i(1'b0), .waddr_i('0), .wdata_i('0), .wbe_i('0),
    .re_i(rd_issue && use_emb), .raddr_i(EAddrW'(b_cur_q)), .rdata_o(emb_rdata));

  // Element pair returned by the reads issued last cycle.
  logic [31:0] rd1_b;
  always_comb begin
    if (use_emb)      rd1_b = {{24{emb_rdata[rd1_lane_q*8 + 7]}}, emb_rdata[rd1_lane_q*8 +: 8]};
    else              rd1_b = scr_b_rdata;
  end
  assign fifo_in = {rd1_first_q, rd1_last_q, scr_a_rdata, rd1_b};

  logic fifo_in_ready_unused;
  hw_fifo #(.WIDTH(FifoW), .DEPTH(4)) u_fifo (
    .clk_i, .rst_ni,
    .in_valid_i(rd1_valid_q && !is_vec), .in_ready_o(fifo_in_ready_unused), .in_data_i(fifo_in),
    .out_valid_o(fifo_valid), .out_ready_i(fifo_ready), .out_data_o(fifo_out), .count_o(fifo_count));
  assign {pop_first, pop_last, pop_a, pop_b} = fifo_out;
  assign fifo_pop = fifo_valid && fifo_ready;

  // ---- MAC pipeline (EMBED, SCORES, PV, SWIGLU) -------------------------------------------------------------------
  logic                        is_mac;
  logic                        m1_valid_q, m1_first_q, m1_last_q, m2_valid_q;
  logic signed [16:0]          m1_a_q, m1_b_q, a_eff;
  logic [15:0]                 silu_rdata;
  logic signed [33:0]          prod;
  logic signed [MAC_ACC_W-1:0] mac_acc_q;
  assign is_mac = op_q == hw_isa_pkg::OpEmbed || op_q == hw_isa_pkg::OpSwiglu;

  hw_sram #(.WIDTH(16), .DEPTH(N_LAYERS * 256), .INIT_FILE(SILU_FILE)) u_silu (
    .clk_i, .we_i(1'b0), .waddr_i('0), .wdata_i('0), .wbe_i('0),
    .re_i(fifo_pop && op_q == hw_isa_pkg::OpSwiglu),
    .raddr_i(LAddrW'({32'(silu_layer_q), 8'h00} | {32'd0, pop_a[7:0] ^ 8'h80})),
    .rdata_o(silu_rdata));

  always_comb begin
    if (op_q == hw_isa_pkg::OpSwiglu)     a_eff = {silu_rdata[15], silu_rdata};
    else if (op_q == hw_isa_pkg::OpEmbed) a_eff = 17'sd1;
    else                      a_eff = m1_a_q;
  end
  assign prod = 34'(a_eff) * 34'(m1_b_q);

  // ---- vector MAC (SCORES, PV): LANES products per cycle -------------------------------------------------------
  // SCORES: one dot-product word q[w] . K[t][w] per cycle, summed over the head's words into mac_acc_q.
  // PV: p[t] * V[t][w] into LANES accumulators; a finished word goes to the PV serializer (one group in flight).
  logic                          v1_valid_q, v1_first_q, v1_last_q;
  logic [LANES*16-1:0]           v1_a_q, v1_b_q;
  logic signed [9:0]             v1_p_q;
  logic signed [MAC_ACC_W-1:0]   dot_sum;
  logic [LANES*MAC_ACC_W-1:0]    pv_acc_q, pv_acc_d;
  always_comb begin
    dot_sum = '0;
    for (int l = 0; l < LANES; l++) begin
      dot_sum = dot_sum + MAC_ACC_W'($signed(v1_a_q[l*16 +: 16]) * $signed(v1_b_q[l*16 +: 16]));
    end
    for (int l = 0; l < LANES; l++) begin
      pv_acc_d[l*MAC_ACC_W +: MAC_ACC_W] =
          MAC_ACC_W'(v1_p_q * $signed(v1_b_q[l*16 +: 16])) +
          (v1_first_q ? MAC_ACC_W'(0) : pv_acc_q[l*MAC_ACC_W +: MAC_ACC_W]);
    end
  end

  // PV serializer: the LANES sums of one head word, one per cycle, skipping lanes past the head.
  logic                       pvs_valid_q, pvs_end;
  logic [LANES*MAC_ACC_W-1:0] pvs_q;
  logic [VLaneW-1:0]          pvs_lane_q;
  logic [HsW-1:0]             pvs_d_q;
  assign pvs_end = pvs_valid_q && (pvs_lane_q == VLaneW'(LANES - 1) || pvs_d_q == HsW'(HEAD_SIZE - 1));

  // Packer (COPYKV, PACKQ): LANES elements per word; a head starts a new word.
  logic [VLaneW-1:0]   vpk_lane_q;
  logic [HsW-1:0]      vpk_i_q;
  logic [LANES*16-1:0] vpk_q;
  logic                vpk_write;
  always_comb begin
    vpk_d = (vpk_lane_q == '0) ? '0 : vpk_q;
    vpk_d[vpk_lane_q*16 +: 16] = pop_a[15:0];
  end
  assign vpk_write = fifo_pop && is_pack && (vpk_lane_q == VLaneW'(LANES - 1) || vpk_i_q == HsW'(HEAD_SIZE - 1));

  // ---- requantize feeder: parameter read, hw_requant, saturation ------------------------------------------------
  logic                       rqf_valid, f1_valid_q;
  logic signed [RQ_ACC_W-1:0] rqf_acc, f1_acc_q;
  logic [31:0]                rqf_addr;
  logic [39:0]                rq_rdata;
  logic                       rq_out_valid, rq_in_ready_unused;
  logic signed [31:0]         rq_y;
  logic [31:0]                rq_sat;

  // MATVEC serializer: one C-wide result beat of the array at a time, one lane per cycle.
  logic               ser_valid_q;
  logic [C*ACC_W-1:0] ser_q;
  logic [LaneW-1:0]   ser_lane_q;
  logic [31:0]        ser_n_q;
  logic               gemm_out_valid, gemm_out_last_unused, gemm_busy;
  logic [C*ACC_W-1:0] gemm_out_data;

  always_comb begin
    if (op_q == hw_isa_pkg::OpMatvec) begin
      rqf_valid = ser_valid_q && ser_n_q < n_out_q;
      rqf_acc   = RQ_ACC_W'($signed(ser_q[ser_lane_q*ACC_W +: ACC_W]));
      rqf_addr  = rq_base_q + ser_n_q;
    end else if (op_q == hw_isa_pkg::OpPv) begin
      rqf_valid = pvs_valid_q;
      rqf_acc   = RQ_ACC_W'($signed(pvs_q[pvs_lane_q*MAC_ACC_W +: MAC_ACC_W]));
      rqf_addr  = rq_base_q;
    end else begin
      rqf_valid = m2_valid_q;
      rqf_acc   = RQ_ACC_W'(mac_acc_q);
      rqf_addr  = rq_base_q;
    end
  end

  hw_sram #(.WIDTH(40), .DEPTH(RQ_DEPTH), .INIT_FILE(RQ_FILE)) u_rq (
    .clk_i, .we_i(1'b0), .waddr_i('0), .wdata_i('0), .wbe_i('0),
    .re_i(rqf_valid), .raddr_i(QAddrW'(rqf_addr)), .rdata_o(rq_rdata));

  hw_requant #(.ACC_W(RQ_ACC_W), .OUT_W(32)) u_requant (
    .clk_i, .rst_ni,
    .in_valid_i(f1_valid_q), .in_ready_o(rq_in_ready_unused), .acc_i(f1_acc_q),
    .mult_i(rq_rdata[30:0]), .rshift_i(rq_rdata[36:31]),
    .out_valid_o(rq_out_valid), .out_ready_i(1'b1), .y_o(rq_y));
  assign rq_sat = sat_to({rq_y[31], rq_y}, out_bits_q);

  // ---- units -------------------------------------------------------------------------------------------------------
  // RMSNorm
  logic norm_in_ready, norm_out_valid, norm_out_last_unused;
  logic signed [XN_W-1:0] norm_y;
  hw_rmsnorm #(.DIM(DIM), .IN_W(RES_W), .OUT_W(XN_W)) u_rmsnorm (
    .clk_i, .rst_ni,
    .in_valid_i(fifo_valid && op_q == hw_isa_pkg::OpNorm), .in_ready_o(norm_in_ready), .x_i(pop_a[RES_W-1:0]),
    .gain_i(norm_rdata[23:0]), .shift_i(norm_rdata[29:24]), .eps_i(norm_rdata[71:32]),
    .out_valid_o(norm_out_valid), .out_ready_i(1'b1), .y_o(norm_y), .out_last_o(norm_out_last_unused));

  // RoPE
  logic rope_in_ready, rope_out_valid, rope_out_last_unused;
  logic signed [ROPE_W-1:0] rope_y;
  hw_rope #(.HEAD_SIZE(HEAD_SIZE), .SEQ_LEN(SEQ_LEN), .W(ROPE_W), .COS_FILE(COS_FILE), .SIN_FILE(SIN_FILE)) u_rope (
    .clk_i, .rst_ni,
    .in_valid_i(fifo_valid && op_q == hw_isa_pkg::OpRope), .in_ready_o(rope_in_ready), .x_i(pop_a[ROPE_W-1:0]),
    .in_last_i(pop_last), .pos_i(pos_q),
    .out_valid_o(rope_out_valid), .out_ready_i(1'b1), .y_o(rope_y), .out_last_o(rope_out_last_unused));

  // Softmax: the scores of one head (requantized, saturated to 16 bits) in, probabilities out.
  logic        sm_in_valid, sm_in_ready, sm_in_last, sm_out_valid, sm_out_last;
  logic [7:0]  sm_p;
  logic [31:0] sc_cnt_q;
  assign sm_in_valid = rq_out_valid && op_q == hw_isa_pkg::OpScores;
  assign sm_in_last  = sc_cnt_q == n_out_q - 32'd1;
  hw_softmax #(.MAX_LEN(SEQ_LEN), .EXP2_FILE(EXP2_FILE)) u_softmax (
    .clk_i, .rst_ni,
    .in_valid_i(sm_in_valid), .in_ready_o(sm_in_ready), .z_i(rq_sat[15:0]), .in_last_i(sm_in_last),
    .out_valid_o(sm_out_valid), .out_ready_i(1'b1), .p_o(sm_p), .out_last_o(sm_out_last));

  // Softmax writer: each SCORES queues its destination row; probabilities land there in order, one per cycle.
  logic        smq_push, smq_ready, smq_valid, sm_row_free;
  logic [31:0] smq_base, smw_t_q;
  logic [2:0]  smq_count;
  // A row may start when the softmax has a free row buffer and the queue has room: a buffer is freed a few cycles
  // before its row's last probability leaves, so both are needed.
  assign sm_row_free = sm_in_ready && smq_ready;
  assign smq_push    = st_q == SSetup && op_q == hw_isa_pkg::OpScores && sm_row_free;
  hw_fifo #(.WIDTH(32), .DEPTH(4)) u_sm_rows (
    .clk_i, .rst_ni,
    .in_valid_i(smq_push), .in_ready_o(smq_ready), .in_data_i(dst_q),
    .out_valid_o(smq_valid), .out_ready_i(sm_out_valid && sm_out_last), .out_data_o(smq_base), .count_o(smq_count));
  assign smw_we    = sm_out_valid;
  assign smw_addr  = smq_base + smw_t_q;
  assign scr_wdata = smw_we ? {24'd0, sm_p} : res_data;

  // GEMM engine: weights hardwired from the image; the X buffer is filled by the packer below.
  logic             pk_we, mv_go_q;
  logic [RowW-1:0]  pk_lane_q;
  logic [XAddrW-1:0] pk_word_q;
  logic [R*A_W-1:0] pk_q, pk_d;
  hw_gemm #(.R(R), .C(C), .A_W(A_W), .ACC_W(ACC_W), .M_MAX(1), .K_MAX(K_MAX), .N_MAX(N_MAX), .W_DEPTH(W_DEPTH),
            .W_BANK_DEPTH(W_BANK_DEPTH), .NUM_BANKS(NUM_BANKS), .W_FILE(W_FILE)) u_gemm (
    .clk_i, .rst_ni,
    .wmem_we_i(1'b0), .wmem_addr_i('0), .wmem_data_i('0),
    .xmem_we_i(pk_we), .xmem_addr_i(pk_word_q), .xmem_data_i(pk_d),
    .start_i(mv_go_q), .m_i(DimW'(1)), .k_i(DimW'(n_inner_q)), .n_i(DimW'(n_out_q)),
    .w_base_i(WAddrW'(w_base_q)), .busy_o(gemm_busy),
    .out_valid_o(gemm_out_valid), .out_ready_i(!ser_valid_q), .out_data_o(gemm_out_data),
    .out_last_o(gemm_out_last_unused));

  always_comb begin
    pk_d = (pk_lane_q == '0) ? '0 : pk_q;
    pk_d[pk_lane_q*A_W +: A_W] = pop_a[A_W-1:0];
  end
  assign pk_we = fifo_pop && op_q == hw_isa_pkg::OpMatvec;

  // ---- OUTPUT: logits to the host, then the argmax token --------------------------------------------------------
  logic              out_tok_q, out_fire;
  logic signed [31:0] best_q;
  logic [31:0]       best_idx_q, out_cnt_q;
  assign out_valid_o = st_q == SExec && op_q == hw_isa_pkg::OpOutput && (out_tok_q || fifo_valid);
  assign out_data_o  = out_tok_q ? best_idx_q : pop_a;
  assign out_last_o  = out_tok_q;
  assign out_fire    = out_valid_o && out_ready_i;

  // ---- consumer select ---------------------------------------------------------------------------------------------
  always_comb begin
    unique case (op_q)
      hw_isa_pkg::OpNorm:   fifo_ready = norm_in_ready;
      hw_isa_pkg::OpRope:   fifo_ready = rope_in_ready;
      hw_isa_pkg::OpOutput: fifo_ready = !out_tok_q && out_ready_i;
      default:  fifo_ready = 1'b1;
    endcase
  end

  // Results, one per cycle at most (only the running instruction's unit produces any).
  always_comb begin
    res_valid = 1'b0;
    res_data  = '0;
    unique case (op_q)
      hw_isa_pkg::OpEmbed, hw_isa_pkg::OpMatvec, hw_isa_pkg::OpPv, hw_isa_pkg::OpSwiglu: begin
        res_valid = rq_out_valid;
        res_data  = rq_sat;
      end
      hw_isa_pkg::OpNorm: begin
        res_valid = norm_out_valid;
        res_data  = 32'($signed(norm_y));
      end
      hw_isa_pkg::OpRope: begin
        res_valid = rope_out_valid;
        res_data  = sat_to(33'($signed(rope_y)), out_bits_q);
      end
      hw_isa_pkg::OpResadd: begin
        res_valid = fifo_pop;
        res_data  = sat_to({pop_a[31], pop_a} + {pop_b[31], pop_b}, out_bits_q);
      end
      hw_isa_pkg::OpCopyKv, hw_isa_pkg::OpPackQ: begin
        res_valid = vpk_write;
        res_data  = 32'(vpk_d[VpkTapW-1:0]);
      end
      default: ;
    endcase
  end

  assign op_done = (op_q == hw_isa_pkg::OpOutput) ? (out_fire && out_tok_q) :
                   (op_q == hw_isa_pkg::OpScores) ? (sc_cnt_q == n_out_q) : (res_cnt_q == n_out_q);

  // ---- state -------------------------------------------------------------------------------------------------------
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      st_q        <= SIdle;
      pc_q        <= '0;
      tok_q       <= '0;
      pos_q       <= '0;
      op_q        <= hw_isa_pkg::OpOutput;
      rd_active_q <= 1'b0;
      rd1_valid_q <= 1'b0;
      m1_valid_q  <= 1'b0;
      m2_valid_q  <= 1'b0;
      v1_valid_q  <= 1'b0;
      pvs_valid_q <= 1'b0;
      pv_busy_q   <= 1'b0;
      f1_valid_q  <= 1'b0;
      ser_valid_q <= 1'b0;
      mv_go_q     <= 1'b0;
      res_cnt_q   <= '0;
      sc_cnt_q    <= '0;
      smw_t_q     <= '0;
      out_tok_q   <= 1'b0;
    end else begin
      // Sequencer.
      unique case (st_q)
        SIdle: begin
          if (in_valid_i) begin
            tok_q <= in_token_i;
            pos_q <= in_pos_i;
            pc_q  <= '0;
            st_q  <= SFetch;
          end
        end
        SFetch:  st_q <= SDecode;
        SDecode: st_q <= SSetup;
        SSetup: begin
          // SCORES needs a free softmax row buffer; everything else waits until the softmax has written every row.
          if ((op_q == hw_isa_pkg::OpScores) ? sm_row_free : (smq_count == '0)) begin
            rd_active_q <= 1'b1;
            st_q        <= SExec;
          end
        end
        SExec: begin
          if (op_done) begin
            if (op_q == hw_isa_pkg::OpOutput) begin
              st_q <= SIdle;
              pc_q <= '0;
            end else begin
              st_q <= SFetch;
              pc_q <= pc_q + PcW'(1);
            end
          end
        end
        default: st_q <= SIdle;
      endcase
      if (st_q == SDecode) begin
        op_q      <= instr.op;
        res_cnt_q <= '0;
        sc_cnt_q  <= '0;
        out_tok_q <= 1'b0;
      end

      // Reader.
      rd1_valid_q <= rd_issue;
      if (rd_issue && rd_last_i && rd_o_q == n_outer_q - 32'd1) rd_active_q <= 1'b0;

      // MAC pipeline.
      m1_valid_q <= fifo_pop && is_mac;
      m2_valid_q <= (m1_valid_q && m1_last_q) || (v1_valid_q && v1_last_q && op_q == hw_isa_pkg::OpScores);
      v1_valid_q <= rd1_valid_q && is_vec;
      // PV: a group (one head word over t = 0..pos) is issued only when the previous one has been serialized.
      if (v1_valid_q && op_q == hw_isa_pkg::OpPv && v1_last_q) pvs_valid_q <= 1'b1;
      else if (pvs_end) pvs_valid_q <= 1'b0;
      if (rd_issue && op_q == hw_isa_pkg::OpPv && rd_i_q == '0) pv_busy_q <= 1'b1;
      else if (pvs_end) pv_busy_q <= 1'b0;
      // Requantize feeder.
      f1_valid_q <= rqf_valid;

      // MATVEC: the last packed word starts the array; result beats are serialized.
      mv_go_q <= pk_we && pop_last;
      if (gemm_out_valid && !ser_valid_q) ser_valid_q <= 1'b1;
      // A beat ends at its last lane, or at the matrix's last row (padding lanes are skipped).
      else if (ser_valid_q && (ser_lane_q == LaneW'(C - 1) || ser_n_q == n_out_q - 32'd1)) ser_valid_q <= 1'b0;

      // Result and score counters.
      if (res_valid) res_cnt_q <= res_cnt_q + 32'd1;
      if (sm_in_valid) sc_cnt_q <= sc_cnt_q + 32'd1;
      if (sm_out_valid) smw_t_q <= sm_out_last ? '0 : smw_t_q + 32'd1;

      // OUTPUT.
      if (op_q == hw_isa_pkg::OpOutput && st_q == SExec && fifo_pop && out_cnt_q == VOCAB - 1) out_tok_q <= 1'b1;
    end
  end

  // Data registers without reset.
  always_ff @(posedge clk_i) begin
    if (st_q == SDecode) begin
      a_base_q     <= 32'(instr.a_base);
      a_si_q       <= 32'(instr.a_stride_inner);
      a_so_q       <= 32'(instr.a_stride_outer);
      b_base_q     <= 32'(instr.b_base) + (instr.b_add_token_row ? tok_row : 32'd0);
      b_si_q       <= 32'(instr.b_stride_inner);
      b_so_q       <= 32'(instr.b_stride_outer);
      n_inner_q    <= (instr.n_inner == '0) ? n_pos : 32'(instr.n_inner);
      n_outer_q    <= (instr.n_outer == '0) ? n_pos : 32'(instr.n_outer);
      n_out_q      <= (instr.n_out == '0) ? n_pos : 32'(instr.n_out);
      dst_q        <= 32'(instr.dst) + (instr.dst_add_position ? pos_row : 32'd0);
      rq_base_q    <= 32'(instr.rq_base) + (instr.rq_add_token ? 32'(tok_q) : 32'd0);
      out_bits_q   <= 6'(instr.out_bits);
      w_base_q     <= instr.w_base;
      silu_layer_q <= instr.silu_layer;
    end
    if (st_q == SSetup) begin
      rd_i_q     <= '0;
      rd_o_q     <= '0;
      a_row_q    <= a_base_q;
      a_cur_q    <= a_base_q;
      b_row_q    <= b_base_q;
      b_cur_q    <= b_base_q;
      emb_lane_q <= '0;
      pk_lane_q  <= '0;
      pk_word_q  <= '0;
      ser_n_q    <= '0;
      out_cnt_q  <= '0;
      vpk_lane_q <= '0;
      vpk_i_q    <= '0;
      pvs_d_q    <= '0;
    end
    // Reader: inner index i, outer index o; A and B addresses advance by their inner and outer strides.
    if (rd_issue) begin
      if (rd_last_i) begin
        rd_i_q  <= '0;
        rd_o_q  <= rd_o_q + 32'd1;
        a_row_q <= a_row_q + a_so_q;
        a_cur_q <= a_row_q + a_so_q;
        b_row_q <= b_row_q + b_step_o;
        b_cur_q <= b_row_q + b_step_o;
      end else begin
        rd_i_q  <= rd_i_q + 32'd1;
        a_cur_q <= a_cur_q + a_si_q;
        b_cur_q <= b_cur_q + b_si_q;
      end
      rd1_first_q <= rd_i_q == '0;
      rd1_last_q  <= rd_last_i;
      rd1_lane_q  <= emb_lane_q;
      if (op_q == hw_isa_pkg::OpEmbed) emb_lane_q <= (emb_lane_q == LaneW'(C - 1)) ? '0 : emb_lane_q + LaneW'(1);
    end
    // MAC pipeline: stage 1 holds the pair (and the SiLU table read), stage 2 accumulates.
    if (fifo_pop) begin
      m1_a_q     <= pop_a[16:0];
      m1_b_q     <= pop_b[16:0];
      m1_first_q <= pop_first;
      m1_last_q  <= pop_last;
    end
    if (m1_valid_q) mac_acc_q <= m1_first_q ? MAC_ACC_W'(prod) : mac_acc_q + MAC_ACC_W'(prod);
    if (v1_valid_q && op_q == hw_isa_pkg::OpScores) mac_acc_q <= v1_first_q ? dot_sum : mac_acc_q + dot_sum;
    // Vector operands, straight from the memories.
    if (rd1_valid_q) begin
      v1_a_q     <= qv_rdata;
      v1_b_q     <= kv_rdata;
      v1_p_q     <= $signed({1'b0, scr_a_rdata[8:0]});
      v1_first_q <= rd1_first_q;
      v1_last_q  <= rd1_last_q;
    end
    if (v1_valid_q && op_q == hw_isa_pkg::OpPv) pv_acc_q <= pv_acc_d;
    // PV serializer.
    if (v1_valid_q && op_q == hw_isa_pkg::OpPv && v1_last_q) begin
      pvs_q      <= pv_acc_d;
      pvs_lane_q <= '0;
    end else if (pvs_valid_q) begin
      pvs_lane_q <= pvs_lane_q + VLaneW'(1);
      pvs_d_q    <= pvs_d_q + HsW'(1);
    end
    // Packer.
    if (fifo_pop && is_pack) begin
      vpk_q   <= vpk_d;
      vpk_i_q <= (vpk_i_q == HsW'(HEAD_SIZE - 1)) ? '0 : vpk_i_q + HsW'(1);
      if (vpk_write) vpk_lane_q <= '0;
      else           vpk_lane_q <= vpk_lane_q + VLaneW'(1);
    end
    f1_acc_q <= rqf_acc;
    // Packer: R activations per X-buffer word.
    if (pk_we) begin
      pk_q <= pk_d;
      if (pk_lane_q == RowW'(R - 1) || pop_last) begin
        pk_lane_q <= '0;
        pk_word_q <= pk_word_q + XAddrW'(1);
      end else begin
        pk_lane_q <= pk_lane_q + RowW'(1);
      end
    end
    // Serializer.
    if (gemm_out_valid && !ser_valid_q) begin
      ser_q      <= gemm_out_data;
      ser_lane_q <= '0;
    end else if (ser_valid_q) begin
      ser_lane_q <= ser_lane_q + LaneW'(1);
      ser_n_q    <= ser_n_q + 32'd1;
    end
    // OUTPUT: running argmax, lowest index wins ties.
    if (op_q == hw_isa_pkg::OpOutput && fifo_pop) begin
      out_cnt_q <= out_cnt_q + 32'd1;
      if (out_cnt_q == '0 || $signed(pop_a) > best_q) begin
        best_q     <= $signed(pop_a);
        best_idx_q <= out_cnt_q;
      end
    end
  end

  // ---- status and debug taps ---------------------------------------------------------------------------------------
  assign in_ready_o      = st_q == SIdle;
  assign busy_o          = st_q != SIdle;
  assign pc_o            = pc_q;
  assign dbg_res_valid_o = res_valid;
  assign dbg_res_idx_o   = res_cnt_q;
  assign dbg_res_data_o  = res_data;
  assign dbg_aux_valid_o = sm_in_valid;
  assign dbg_aux_idx_o   = sc_cnt_q;
  assign dbg_aux_data_o  = rq_sat;
  assign dbg_prob_valid_o = smw_we;
  assign dbg_prob_addr_o  = smw_addr;
  assign dbg_prob_data_o  = {24'd0, sm_p};

  logic unused;
  assign unused = ^{fifo_in_ready_unused, rq_in_ready_unused, norm_out_last_unused, rope_out_last_unused,
                    smq_valid, scr_waddr[31:SAddrW], gemm_out_last_unused, gemm_busy, rq_rdata[39:37], norm_rdata[31:30],
                    pop_a[31:17], pop_b[31:17], rqf_addr[31:QAddrW]};

`ifndef SYNTHESIS
  // Run-time checks, out of reset only: before the first reset edge the state is random (--x-initial unique).
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      // in reset: nothing to check
    end else begin
      if (sm_in_valid && !sm_in_ready) $error("hw_core: softmax not ready for a score of a started row");
      if (smw_we && scr_we) $error("hw_core: softmax writer and results collide on the scratchpad port");
      if (st_q == SIdle && in_valid_i && 32'(in_pos_i) >= SEQ_LEN) $error("hw_core: position %0d >= SEQ_LEN", in_pos_i);
      if (st_q == SIdle && in_valid_i && 32'(in_token_i) >= VOCAB) $error("hw_core: token %0d >= VOCAB", in_token_i);
    end
  end
`endif
endmodule
