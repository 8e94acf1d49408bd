// hw_core — the whole accelerator: one decode step per host request, (token, position) in, int32 logits and the
// argmax token out. Every weight lives in on-chip SRAM (the matrix engine's W_ROWS weight banks, read together
// every cycle, and the embedding SRAM, all initialised from generated images); the KV cache is on chip; the model's schedule is a microcode
// program in a ROM (PROG_FILE) that the generator emits. Arithmetic is docs/numerics.md, bit for bit.
//
// Structure. hw_core only instantiates and wires its units (docs/architecture.md has the diagram):
//   hw_core_sequencer        fetch, decode, step control (program ROM)        hw_core_reader   element reader + FIFO
//   hw_core_mac              scalar MAC (SiLU ROM; EMBED, SWIGLU where V = 1) hw_core_attention  every head: q.K, one
//   hw_core_elementwise      EMBED and SWIGLU at V_LANES per cycle (V_LANES > 1)    hw_softmax per head, p.V, requantizers
//   hw_core_gemm_packer      X-buffer packer   hw_gemv   hw_core_matvec_requant or hw_core_gemm_serializer (MATVEC)
//   hw_core_lane_packer x2   COPYKV / PACKQ words                              hw_core_requant_feeder  requant ROM + hw_requant
//   hw_rmsnorm (norm ROM)    hw_rope
//   hw_core_output           logits + argmax to the host                       hw_core_writeback  dispatch, results, write ports
//   memories (hw_sram)       scratchpad (two copies: two read ports), KV cache, q buffer, embedding, norm ROM
//
// Datapath. A scratchpad of 32-bit elements holds the step's vectors (residual x, normalized xn, q, k, v,
// attention output, branch output, gate, up, h, logits; the generator places them, each from a word of
// its own), V_LANES elements per word (C where C is a power of two, else 1), written by lane. It has two read ports
// (two macro copies written together) and one write port. Every instruction streams its operands: a reader walks two
// nested loops (n_outer x n_inner) over source A (scratchpad, or the lane-packed q buffer) and source B (scratchpad,
// KV cache or embedding SRAM). Scalar ops take one element pair per cycle through a 4-entry FIFO (so units that
// stall lose nothing); attention reads KV-cache words of LANES 16-bit lanes (LANES / HEAD_SIZE whole KV heads: the KV
// port) and q-buffer words of QLanes (the query heads of those KV heads) and feeds hw_core_attention directly; where V_LANES > 1, MATVEC (when W_ROWS = V_LANES), NORM, RESADD, EMBED,
// SWIGLU, ROPE and OUTPUT read whole words (scratchpad or embedding), V_LANES elements per cycle, and MATVEC, NORM,
// RESADD, EMBED, SWIGLU and ROPE write V_LANES results per cycle.
// A consumer per instruction takes them:
//
//   op        consumer                                          result (written to dst + i, or the KV cache)
//   EMBED     MAC (1 * E[tok][i]) -> requant (per token row)     residual x (V_LANES > 1: a word per cycle,
//                                                                 hw_core_elementwise)
//   NORM      hw_rmsnorm (constants from the norm ROM)           xn (V_LANES per cycle)
//   MATVEC    pack W_ROWS per word into hw_gemv's X buffer, run   N per-channel requantized outputs (V_LANES > 1: a
//             the engine; its C-wide result beats are requantized  beat per cycle, hw_core_matvec_requant; else
//             whole or serialized through the requantizer           serialized)
//   ROPE      hw_rope at the step's position                     q or k, saturated to the site width (V_LANES per
//                                                                 cycle)
//   COPYKV    pack LANES per word                                 KV cache row of this position (words; where
//                                                                 they and scratchpad words divide one another, a
//                                                                 scratchpad word per cycle)
//   PACKQ     pack QLanes per word                                the q buffer (words, likewise)
//   SCORES    every head's q . K[t] (a KV word per cycle) ->       pos+1 scores per head into its hw_softmax row
//             requant -> sat16
//   PV        p[t] * V[t] as the probabilities leave the softmax,  attention output of every head (V_LANES per
//             summed over t -> requant                             beat, or one per cycle through the requantizer)
//   SWIGLU    MAC (SILU[gate + 128] * up) -> requant              h (V_LANES > 1: a word per cycle,
//                                                                 hw_core_elementwise)
//   RESADD    saturating add                                     residual x (V_LANES per cycle)
//   OUTPUT    host stream, running argmax                        (vocab logits, V_LANES per beat, then the token;
//                                                                 ends the step; where V_LANES > 1 the classifier
//                                                                 MATVEC does this itself: to_host)
//
// An instruction is done when it has written its n_out results (SCORES: its last scores are in the softmax). Where
// V_LANES > 1 the next one may start once the running one has issued its reads, while its results drain
// (hw_core_sequencer's OVERLAP: the two hold different units); a scoreboard holds its reads of results not yet
// written, and its results queue in the writeback behind the draining one's (docs/architecture.md, Overlap). A
// SCORES starts only when every head's softmax row is free; a PV's reads wait for their probabilities. Field value 0
// of n_inner, n_outer or n_out means pos + 1 (the attention row length). The instruction set (op codes, fields,
// flags) is hw_isa_pkg, generated from generator/include/hardwire/gen/isa.def with every field as wide as the
// design's program needs; docs/architecture.md has its table, generator/src/program.cpp writes the program and
// program.lst lists it.
//
// Host interface: in_valid/in_ready with (token, pos), accepted when idle; out_valid/out_ready streams VOCAB int32
// logits, V_LANES per beat (out_lanes_o of them valid), then one beat holding the argmax token id (lowest index wins
// ties) with out_last_o. Debug taps report every result written to the scratchpad (dbg_res_*: first index, lanes,
// values), every beat of attention scores (dbg_aux_*) and of probabilities PV takes (dbg_prob_*: position, first
// head, QHeads values), so a harness can name the first value that differs from the golden model (the packed words
// of COPYKV and PACKQ are checked through the scores and attention outputs that read them). dbg_ev_o raises one bit
// per memory access and matrix-engine issue (the events of generator/include/hardwire/gen/events.def), which the
// testbench counts and `hardwire sim` prices as energy.
module hw_core #(
  // matrix engine (hw_gemv)
  parameter int unsigned W_ROWS        = 8,     // weight banks read every cycle: the weight port is W_ROWS x C codes
  parameter int unsigned C             = 8,     // output columns per cycle; codes per weight-bank word
  parameter int unsigned W_BITS        = 8,     // weight code width: 4, 6 or 8 (numerics §2)
  parameter int unsigned W_GROUP_WORDS = 0,     // engine input words (of W_ROWS) per group scale; 0: none
  parameter int unsigned W_ZERO_POINT  = 0,     // 1 (with W_GROUP_WORDS > 0): unsigned codes and a zero point per group
  parameter int unsigned GS_DEPTH      = 0,     // W_GROUP_WORDS > 0: group-scale ROM words (C entries each)
  parameter              GS_FILE       = "mem/group_scales.hex",
  parameter int unsigned A_W           = 16,    // matrix activation width
  parameter int unsigned ACC_W         = 32,    // matrix accumulator width
  parameter int unsigned K_MAX         = 64,
  parameter int unsigned N_MAX         = 64,
  parameter int unsigned W_DEPTH       = 1024,  // words per weight bank
  parameter int unsigned W_BANK_DEPTH  = 0,     // words per macro of a weight bank (0: one macro)
  parameter              W_FILE        = "mem/weights",  // image prefix (hw_gemv: <prefix>_p<j>[_bank<b>].hex)
  // model
  parameter int unsigned DIM           = 32,
  parameter int unsigned N_LAYERS      = 2,
  parameter int unsigned HEAD_SIZE     = 8,
  parameter int unsigned N_HEADS       = 4,
  parameter int unsigned N_KV_HEADS    = 2,
  parameter int unsigned LANES         = 8,     // KV-cache word lanes (16 bits each): whole KV heads, the KV port / 2
  parameter int unsigned VOCAB         = 100,
  parameter int unsigned SEQ_LEN       = 64,
  parameter int unsigned RES_W         = 16,
  parameter int unsigned XN_W          = 8,
  parameter int unsigned GATE_W        = 16,    // FFN gate width (numerics §11): 8 or 16
  parameter int unsigned ROPE_W        = 16,    // max(q, k) width
  parameter int unsigned MAC_ACC_W     = 40,    // attention / SwiGLU / embedding accumulator
  parameter int unsigned SM_LANES      = 4,     // softmax exp-sum elements per cycle (hw_softmax SUM_LANES)
  parameter int unsigned NORM_STEPS    = 4,     // RMSNorm root digits and quotient bits per cycle (hw_rmsnorm STEPS)
  parameter int unsigned RQ_ACC_W      = 40,    // requantizer input: max(ACC_W, MAC_ACC_W)
  // memories
  parameter int unsigned SCRATCH_DEPTH = 1024,
  parameter int unsigned KV_DEPTH      = 4096,  // N_LAYERS * SEQ_LEN * 2 * KvRowWords words of LANES x 16 (per
                                                //   layer and position: the K row, then the V row)
  parameter int unsigned EMB_DEPTH     = 400,   // VOCAB * EMB_WPR words of C bytes
  parameter int unsigned EMB_WPR       = 4,     // embedding words per token row: ceil(DIM / C)
  parameter int unsigned EMB_BANK_DEPTH = 0,
  parameter              EMB_FILE      = "mem/embedding.hex",
  parameter int unsigned RQ_DEPTH      = 1024,
  parameter              RQ_FILE       = "mem/requant.hex",
  parameter int unsigned V_LANES       = 8,     // scratchpad elements per word: C where C is a power of two, else 1
  parameter int unsigned RQV_DEPTH     = 64,    // V_LANES > 1: vector requant ROM words (matrix channels, V per word)
  parameter int unsigned RQV_LANE_W    = 48,    // its bits per channel: {out_bits, 3'b0, rshift, mult}
  parameter              RQV_FILE      = "mem/requant_vec.hex",
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
  output logic [V_LANES*32-1:0] out_data_o, // V_LANES logits (the first in the low bits), or the argmax token id
  output logic [ResLanesW-1:0] out_lanes_o, // how many of them are valid (the last beat: 1, the token)
  output logic              out_last_o,
  // status and debug taps
  output logic              busy_o,
  output logic [PcW-1:0]    pc_o,
  output logic [PcW-1:0]    dbg_oldest_pc_o,  // the oldest instruction in flight: the draining one, else pc_o
  output logic              dbg_res_valid_o,
  output logic [PcW-1:0]    dbg_res_pc_o,     // the instruction whose results these are
  output logic [31:0]       dbg_res_idx_o,    // index of the first result written this cycle
  output logic [ResLanesW-1:0] dbg_res_lanes_o, // how many (consecutive) results
  output logic [V_LANES*32-1:0] dbg_res_data_o, // their values, the first in the low 32 bits
  output logic              dbg_aux_valid_o,  // attention scores: position, first head, QHeads values
  output logic [31:0]       dbg_aux_pos_o,
  output logic [31:0]       dbg_aux_head_o,
  output logic [QHeads*32-1:0] dbg_aux_data_o,
  output logic              dbg_prob_valid_o, // probabilities PV takes: likewise
  output logic [31:0]       dbg_prob_pos_o,
  output logic [31:0]       dbg_prob_head_o,
  output logic [QHeads*32-1:0] dbg_prob_data_o,
  output logic              dbg_host_wait_o,  // the chip waits for the host: a beat on offer is not taken, and
                                              // (V_LANES > 1) the classifier's results are held back or all written
  output logic [hw_isa_pkg::EvCount-1:0] dbg_ev_o // activity: bit hw_isa_pkg::Ev<Name> in each cycle it happens
);
  localparam int unsigned TokW       = (VOCAB > 1) ? $clog2(VOCAB) : 1;
  localparam int unsigned PosW       = (SEQ_LEN > 1) ? $clog2(SEQ_LEN) : 1;
  localparam int unsigned PcW        = (PROG_DEPTH > 1) ? $clog2(PROG_DEPTH) : 1;
  localparam int unsigned ScratchWords = SCRATCH_DEPTH / V_LANES;               // words of V_LANES elements
  localparam int unsigned ScratchW   = (ScratchWords > 1) ? $clog2(ScratchWords) : 1;
  localparam int unsigned LogV       = $clog2(V_LANES);
  localparam int unsigned ResLanesW  = $clog2(V_LANES + 1);
  // MATVEC reads its input a whole scratchpad word per cycle where a word is exactly the engine's W_ROWS inputs.
  localparam bit          WordMode   = V_LANES > 1 && W_ROWS == V_LANES;
  // OUTPUT streams whole scratchpad words of V_LANES logits to the host, RESADD adds V_LANES pairs per cycle, NORM
  // takes and gives V_LANES elements per cycle and EMBED and SWIGLU compute V_LANES results per cycle
  // (hw_core_elementwise), where V_LANES > 1.
  localparam bit          WordOutput = V_LANES > 1;
  // The running instruction's results queue behind the draining one's (hw_core_writeback), up to this many beats.
  localparam int unsigned QueueDepth = 4;
  // Attention (hw_core_attention): a KV-cache word holds LANES / HEAD_SIZE whole KV heads, a q-buffer word the
  // QHeads query heads that share them (QLanes lanes); a position's K (or V) row is KvRowWords words, and the two
  // lie side by side (the sequencer's KV_POS_WORDS: a COPYKV of k and v writes both).
  localparam int unsigned KvMul      = N_HEADS / N_KV_HEADS;
  localparam int unsigned QHeads     = LANES / HEAD_SIZE * KvMul;
  localparam int unsigned QLanes     = LANES * KvMul;
  localparam int unsigned KvRowWords = N_KV_HEADS * HEAD_SIZE / LANES;
  localparam int unsigned QDepth     = KvRowWords;
  localparam int unsigned QAddrW     = (QDepth > 1) ? $clog2(QDepth) : 1;
  // COPYKV and PACKQ read whole scratchpad words where their packed words and scratchpad words divide one another
  // (hw_core_lane_packer's word mode).
  localparam bit          KvPackWords = V_LANES > 1 && (LANES % V_LANES == 0 || V_LANES % LANES == 0);
  localparam bit          QPackWords  = V_LANES > 1 && (QLanes % V_LANES == 0 || V_LANES % QLanes == 0);
  logic                   words;  // this instruction reads whole scratchpad words
  localparam int unsigned KvAddrW    = (KV_DEPTH > 1) ? $clog2(KV_DEPTH) : 1;
  localparam int unsigned EmbAddrW   = (EMB_DEPTH > 1) ? $clog2(EMB_DEPTH) : 1;
  localparam int unsigned NormAddrW  = (NORM_DEPTH > 1) ? $clog2(NORM_DEPTH) : 1;
  localparam int unsigned KgMax      = (K_MAX + W_ROWS - 1) / W_ROWS;        // hw_gemv's X-buffer words
  localparam int unsigned WAddrW     = (W_DEPTH > 1) ? $clog2(W_DEPTH) : 1;
  localparam int unsigned GsAddrW    = (GS_DEPTH > 1) ? $clog2(GS_DEPTH) : 1;
  localparam int unsigned XAddrW     = (KgMax > 1) ? $clog2(KgMax) : 1;
  localparam int unsigned MaxDim     = (K_MAX > N_MAX) ? K_MAX : N_MAX;
  localparam int unsigned DimW       = $clog2(MaxDim + 1);

  // The chip plan derives these; what is derived again here must agree with it.
  if (V_LANES != (((C & (C - 1)) == 0) ? C : 1) || SCRATCH_DEPTH % V_LANES != 0 || (V_LANES > 1) != (RQV_DEPTH > 0) ||
      (V_LANES > 1 && (RQV_FILE == "" || RQV_LANE_W < 46))) begin : gen_check_vector
    $error("hw_core: V_LANES must be C where C is a power of two (else 1) and divide SCRATCH_DEPTH; RQV_DEPTH, RQV_LANE_W (>= 46) and RQV_FILE are those of the vector requant ROM, which only V_LANES > 1 has");
  end
  if (RQ_ACC_W < ACC_W || RQ_ACC_W < MAC_ACC_W || RQ_ACC_W > 64 || MAC_ACC_W < 34 || MAC_ACC_W > 64) begin : gen_check_acc
    $error("hw_core: need 34 <= MAC_ACC_W <= 64 and max(ACC_W, MAC_ACC_W) <= RQ_ACC_W <= 64");
  end
  if (LANES < HEAD_SIZE || LANES % HEAD_SIZE != 0 || N_HEADS % N_KV_HEADS != 0 ||
      (N_KV_HEADS * HEAD_SIZE) % LANES != 0) begin : gen_check_lanes
    $error("hw_core: LANES must be whole KV heads (a multiple of HEAD_SIZE) dividing the KV row N_KV_HEADS x HEAD_SIZE; N_KV_HEADS must divide N_HEADS");
  end
  if (XN_W > A_W || ROPE_W > 16 || RES_W > 16) begin : gen_check_widths
    $error("hw_core: XN_W must fit the array (<= A_W); ROPE_W and RES_W at most 16");
  end
  if (KV_DEPTH != 2 * N_LAYERS * SEQ_LEN * KvRowWords || EMB_WPR != (DIM + C - 1) / C || EMB_DEPTH != VOCAB * EMB_WPR ||
      NORM_DEPTH != 2 * N_LAYERS + 1 || DIM != N_HEADS * HEAD_SIZE || K_MAX < DIM || N_MAX < VOCAB) begin : gen_check_plan
    $error("hw_core: KV_DEPTH, EMB_WPR, EMB_DEPTH, NORM_DEPTH, K_MAX or N_MAX disagree with the model shape");
  end

  // ---- sequencer and decoder --------------------------------------------------------------------------------------
  logic                              decode, setup, start, exec, op_done, scores_ready, scores_done;
  logic [PosW-1:0]                   pos;
  logic [hw_isa_pkg::NormIndexW-1:0] norm_index;
  logic [31:0]                       a_base, a_stride_inner, a_stride_outer, b_base, b_stride_inner, b_stride_outer;
  logic [31:0]                       n_inner, n_outer, n_out, dst, rq_base;
  logic [5:0]                        out_bits;
  logic [hw_isa_pkg::WBaseW-1:0]     w_base;
  logic [hw_isa_pkg::GsBaseW-1:0]    gs_base;
  logic [hw_isa_pkg::SiluLayerW-1:0] silu_layer;
  logic op_embed, op_norm, op_matvec, op_rope, op_copy_kv, op_scores, op_pv, op_swiglu, op_resadd, op_output;
  logic op_pack_q, op_vector, op_pack, op_reads_b, op_requant, to_host;
  // The draining instruction (where V_LANES > 1 an instruction may start while the one before drains: the sequencer's
  // OVERLAP), and the writeback's state of it and of the running one's queued results.
  logic                              overlap, old_valid, old_done, reader_idle, reads_done, queue_empty, read_hold;
  logic [PcW-1:0]                    old_pc, pc;
  logic [31:0]                       old_n_out, old_dst, old_rq_base, old_written;
  logic [5:0]                        old_out_bits;
  logic [hw_isa_pkg::SiluLayerW-1:0] old_silu_layer;
  logic old_op_embed, old_op_norm, old_op_matvec, old_op_rope, old_op_copy_kv, old_op_pv, old_op_swiglu;
  logic old_op_resadd, old_op_pack_q;
  logic [$clog2(QueueDepth + 1)-1:0] queue_count;
  hw_core_sequencer #(.VOCAB(VOCAB), .SEQ_LEN(SEQ_LEN), .PROG_DEPTH(PROG_DEPTH), .EMB_WPR(EMB_WPR),
                      .KV_POS_WORDS(2 * KvRowWords), .PROG_FILE(PROG_FILE), .OVERLAP(WordOutput)) u_sequencer (
    .clk_i, .rst_ni, .in_valid_i, .in_ready_o, .in_token_i, .in_pos_i,
    .scores_ready_i(scores_ready),
    .op_done_i(op_done), .reads_done_i(reads_done), .queue_empty_i(queue_empty), .old_done_i(old_done),
    .busy_o, .pc_o(pc), .pos_o(pos), .decode_o(decode), .setup_o(setup), .start_o(start), .exec_o(exec),
    .norm_index_o(norm_index),
    .a_base_o(a_base), .a_stride_inner_o(a_stride_inner), .a_stride_outer_o(a_stride_outer), .b_base_o(b_base),
    .b_stride_inner_o(b_stride_inner), .b_stride_outer_o(b_stride_outer), .n_inner_o(n_inner), .n_outer_o(n_outer),
    .n_out_o(n_out), .dst_o(dst), .rq_base_o(rq_base), .out_bits_o(out_bits), .w_base_o(w_base), .gs_base_o(gs_base),
    .silu_layer_o(silu_layer), .to_host_o(to_host),
    .op_embed_o(op_embed), .op_norm_o(op_norm), .op_matvec_o(op_matvec), .op_rope_o(op_rope),
    .op_copy_kv_o(op_copy_kv), .op_scores_o(op_scores), .op_pv_o(op_pv), .op_swiglu_o(op_swiglu),
    .op_resadd_o(op_resadd), .op_output_o(op_output), .op_pack_q_o(op_pack_q),
    .op_vector_o(op_vector), .op_pack_o(op_pack), .op_reads_b_o(op_reads_b), .op_requant_o(op_requant),
    .overlap_o(overlap), .old_valid_o(old_valid), .old_pc_o(old_pc), .old_n_out_o(old_n_out), .old_dst_o(old_dst),
    .old_rq_base_o(old_rq_base), .old_out_bits_o(old_out_bits), .old_silu_layer_o(old_silu_layer),
    .old_op_embed_o(old_op_embed), .old_op_norm_o(old_op_norm), .old_op_matvec_o(old_op_matvec),
    .old_op_rope_o(old_op_rope), .old_op_copy_kv_o(old_op_copy_kv), .old_op_pv_o(old_op_pv),
    .old_op_swiglu_o(old_op_swiglu), .old_op_resadd_o(old_op_resadd), .old_op_pack_q_o(old_op_pack_q));
  assign pc_o = pc;

  // Each unit that works on after the reads is set up by its own instruction's SETUP and, while that instruction
  // drains, takes the draining slot's fields (the sequencer never lets two instructions hold one unit).
  logic u_requant_old, u_matvec_old, u_pack_kv_old, u_pack_q_old, u_attn_old;
  assign u_requant_old = old_op_embed || old_op_swiglu || old_op_pv;
  assign u_matvec_old  = old_op_matvec;
  assign u_pack_kv_old = old_op_copy_kv;
  assign u_pack_q_old  = old_op_pack_q;
  assign u_attn_old    = old_op_pv;
  logic        rq_swiglu, rq_pv, rq_matvec;  // the requantizer word's owner (EMBED, SWIGLU, PV)
  logic [31:0] rq_rq_base;
  logic [5:0]  rq_out_bits;
  logic [hw_isa_pkg::SiluLayerW-1:0] rq_silu_layer;
  assign rq_swiglu     = u_requant_old ? old_op_swiglu : op_swiglu;
  assign rq_pv         = u_requant_old ? old_op_pv : op_pv;
  assign rq_matvec     = !u_requant_old && op_matvec;
  assign rq_rq_base    = u_requant_old ? old_rq_base : rq_base;
  assign rq_out_bits   = u_requant_old ? old_out_bits : out_bits;
  assign rq_silu_layer = u_requant_old ? old_silu_layer : silu_layer;
  logic setup_requant, setup_matvec, setup_attn, setup_pack_kv, setup_pack_q;
  assign setup_requant = setup && (!WordOutput || op_embed || op_swiglu || op_pv || op_scores);
  assign setup_matvec  = setup && (!WordOutput || op_matvec);
  assign setup_attn    = setup && (!WordOutput || op_scores || op_pv);
  assign setup_pack_kv = setup && (!WordOutput || op_copy_kv);
  assign setup_pack_q  = setup && (!WordOutput || op_pack_q);

  // ---- element reader ---------------------------------------------------------------------------------------------
  logic                issue, group_start_unused, read_valid, read_first_unused, read_last, pv_issue_ready;
  logic                output_word_credit, pack_word_credit;
  logic [31:0]         a_addr, b_addr, scratch_a_rdata, scratch_b_rdata;
  logic [C*8-1:0]      emb_rdata;
  logic [LANES*16-1:0] kv_rdata;
  logic [QLanes*16-1:0] q_rdata;
  logic                elem_valid, elem_pop, elem_first, elem_last;
  logic [31:0]         elem_a, elem_b;
  assign words = (op_matvec && WordMode) || (op_copy_kv && KvPackWords) || (op_pack_q && QPackWords) ||
                 ((op_output || op_resadd || op_norm || op_embed || op_swiglu || op_rope) && WordOutput);
  hw_core_reader #(.C(C), .V(V_LANES)) u_reader (
    .clk_i, .rst_ni, .setup_i(setup), .start_i(start), .embed_i(op_embed), .pv_i(op_pv),
    .vector_i(op_vector || words), .words_i(words),
    .word_credit_i(op_output ? output_word_credit : !op_pack || pack_word_credit),
    .a_base_i(a_base), .a_stride_inner_i(a_stride_inner), .a_stride_outer_i(a_stride_outer), .b_base_i(b_base),
    .b_stride_inner_i(b_stride_inner), .b_stride_outer_i(b_stride_outer), .n_inner_i(n_inner), .n_outer_i(n_outer),
    .pv_ready_i(pv_issue_ready), .hold_i(read_hold), .idle_o(reader_idle), .issue_o(issue), .group_start_o(group_start_unused), .a_addr_o(a_addr), .b_addr_o(b_addr),
    .a_rdata_i(scratch_a_rdata), .b_rdata_i(scratch_b_rdata), .emb_rdata_i(emb_rdata),
    .read_valid_o(read_valid), .read_first_o(read_first_unused), .read_last_o(read_last),
    .elem_valid_o(elem_valid), .elem_ready_i(elem_pop), .elem_first_o(elem_first), .elem_last_o(elem_last),
    .elem_a_o(elem_a), .elem_b_o(elem_b));

  // ---- scoreboard ----------------------------------------------------------------------------------------------
  // While an instruction drains, the running one's reads wait for its results: a read whose elements include one of
  // the draining instruction's unwritten results (old_lo .. old_hi - 1: scratchpad elements, or a COPYKV's KV-cache
  // words, which a SCORES or PV reads) is held. A MATVEC waits until the rest of its
  // input is written (the matrix engine takes a word every cycle once it starts). And the running instruction's
  // results must fit the writeback's queue: reads of the ops with a result word per word read (RESADD, ROPE, EMBED,
  // SWIGLU) are held while the queue and the reads in flight would fill it; NORM's results wait in hw_rmsnorm and
  // MATVEC's beats in the matrix engine while the queue is full.
  localparam int unsigned QCountW = $clog2(QueueDepth + 1);
  logic              queueing, one_to_one, cur_result, raw_a, raw_b, raw_kv, old_scratch;
  logic [31:0]       old_lo, old_hi, a_end, b_end;
  logic [QCountW-1:0] inflight_q, inflight_d;
  assign queueing    = old_valid || !queue_empty;
  assign old_scratch = old_valid && !old_op_copy_kv && !old_op_pack_q;
  assign old_lo      = old_dst + old_written;
  assign old_hi      = old_dst + old_n_out;
  assign a_end       = op_matvec ? a_base + n_inner : a_addr + (words ? 32'(V_LANES) : 32'd1);
  assign b_end       = b_addr + (words ? 32'(V_LANES) : 32'd1);
  assign raw_a       = !op_embed && !op_scores && a_addr < old_hi && old_lo < a_end;
  assign raw_b       = op_reads_b && b_addr < old_hi && old_lo < b_end;
  assign raw_kv      = old_valid && old_op_copy_kv && op_vector && b_addr < old_hi && old_lo <= b_addr;
  assign one_to_one  = words && (op_resadd || op_rope || op_embed || op_swiglu);
  always_comb begin
    inflight_d = inflight_q;
    if (setup) inflight_d = '0;
    else       inflight_d = inflight_q + QCountW'(issue && one_to_one) - QCountW'(cur_result && one_to_one);
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) inflight_q <= '0;
    else         inflight_q <= inflight_d;
  end
  assign read_hold = (old_scratch && (raw_a || raw_b)) || raw_kv ||
                     (queueing && one_to_one && 32'(queue_count) + 32'(inflight_q) >= QueueDepth);

  // ---- memories ---------------------------------------------------------------------------------------------------
  logic                  scratch_we, kv_we, q_we;
  logic [31:0]           scratch_wword, kv_waddr, q_waddr;
  logic [V_LANES-1:0]    scratch_wmask;
  logic [V_LANES*32-1:0] scratch_wdata, scratch_a_word, scratch_b_word;
  logic [V_LANES*4-1:0]  scratch_wbe;
  logic [LANES*16-1:0]   kv_pack_word;
  logic [QLanes*16-1:0]  q_pack_word;
  // Scratchpad: words of V_LANES 32-bit elements (element e in word e / V_LANES, lane e mod V_LANES), written by lane;
  // two copies written together, for two read ports. An element read takes its lane from the word read.
  for (genvar l = 0; l < V_LANES; l++) begin : gen_scratch_wbe
    assign scratch_wbe[l*4 +: 4] = {4{scratch_wmask[l]}};
  end
  hw_sram #(.WIDTH(V_LANES*32), .DEPTH(ScratchWords), .BYTE_EN(1)) u_scratch_a (
    .clk_i, .we_i(scratch_we), .waddr_i(ScratchW'(scratch_wword)), .wdata_i(scratch_wdata), .wbe_i(scratch_wbe),
    .re_i(issue), .raddr_i(ScratchW'(a_addr >> LogV)), .rdata_o(scratch_a_word));
  hw_sram #(.WIDTH(V_LANES*32), .DEPTH(ScratchWords), .BYTE_EN(1)) u_scratch_b (
    .clk_i, .we_i(scratch_we), .waddr_i(ScratchW'(scratch_wword)), .wdata_i(scratch_wdata), .wbe_i(scratch_wbe),
    .re_i(issue && op_reads_b), .raddr_i(ScratchW'(b_addr >> LogV)), .rdata_o(scratch_b_word));
  if (V_LANES > 1) begin : gen_scratch_lanes
    logic [LogV-1:0] a_lane_q, b_lane_q;  // lanes of the words read last
    always_ff @(posedge clk_i) begin
      if (issue) a_lane_q <= a_addr[LogV-1:0];
      if (issue && op_reads_b) b_lane_q <= b_addr[LogV-1:0];
    end
    assign scratch_a_rdata = scratch_a_word[a_lane_q*32 +: 32];
    assign scratch_b_rdata = scratch_b_word[b_lane_q*32 +: 32];
  end else begin : gen_scratch_scalar
    assign scratch_a_rdata = scratch_a_word;
    assign scratch_b_rdata = scratch_b_word;
  end
  hw_sram #(.WIDTH(LANES*16), .DEPTH(KV_DEPTH)) u_kv (
    .clk_i, .we_i(kv_we), .waddr_i(KvAddrW'(kv_waddr)), .wdata_i(kv_pack_word), .wbe_i('1),
    .re_i(issue && op_vector), .raddr_i(KvAddrW'(b_addr)), .rdata_o(kv_rdata));
  hw_sram #(.WIDTH(QLanes*16), .DEPTH(QDepth)) u_q (
    .clk_i, .we_i(q_we), .waddr_i(QAddrW'(q_waddr)), .wdata_i(q_pack_word), .wbe_i('1),
    .re_i(issue && op_scores), .raddr_i(QAddrW'(a_addr)), .rdata_o(q_rdata));
  hw_sram #(.WIDTH(C*8), .DEPTH(EMB_DEPTH), .BANK_DEPTH(EMB_BANK_DEPTH), .INIT_FILE(EMB_FILE)) u_emb (
    .clk_i, .we_i(1'b0), .waddr_i('0), .wdata_i('0), .wbe_i('0),
    .re_i(issue && op_embed), .raddr_i(EmbAddrW'(b_addr)), .rdata_o(emb_rdata));
  // Norm constants {eps[39:0], 2'b0, shift[5:0], gain[23:0]}, read while the instruction decodes.
  logic [71:0] norm_rdata;
  hw_sram #(.WIDTH(72), .DEPTH(NORM_DEPTH), .INIT_FILE(NORM_FILE)) u_norms (
    .clk_i, .we_i(1'b0), .waddr_i('0), .wdata_i('0), .wbe_i('0),
    .re_i(decode), .raddr_i(NormAddrW'(norm_index)), .rdata_o(norm_rdata));

  // ---- MAC and attention ----------------------------------------------------------------------------------------
  logic                        mac_valid, pv_valid, pv_vec_valid;
  logic signed [MAC_ACC_W-1:0] mac_acc, pv_acc;
  logic [V_LANES*32-1:0]       pv_vec;
  logic [39:0]                 rq_param;
  hw_core_mac #(.MAC_ACC_W(MAC_ACC_W), .N_LAYERS(N_LAYERS), .LAYER_W(hw_isa_pkg::SiluLayerW), .GATE_W(GATE_W),
                .SILU_FILE(SILU_FILE), .SWIGLU(WordOutput ? 0 : 1)) u_mac (
    .clk_i, .rst_ni, .embed_i(op_embed), .swiglu_i(op_swiglu), .silu_layer_i(silu_layer),
    .elem_pop_i(elem_pop), .pair_first_i(elem_first), .pair_last_i(elem_last),
    .pair_a_i(elem_a[16:0]), .pair_b_i(elem_b[16:0]),
    .acc_valid_o(mac_valid), .acc_o(mac_acc));
  logic attn_idle_unused;
  hw_core_attention #(.LANES(LANES), .HEAD_SIZE(HEAD_SIZE), .KV_MUL(KvMul), .ROW_WORDS(KvRowWords),
                      .SEQ_LEN(SEQ_LEN), .MAC_ACC_W(MAC_ACC_W), .V(V_LANES), .SUM_LANES(SM_LANES),
                      .EXP2_FILE(EXP2_FILE)) u_attention (
    .clk_i, .rst_ni, .setup_i(setup_attn), .scores_i(op_scores), .pv_i(u_attn_old || op_pv),
    .n_pos_i(32'(pos) + 32'd1), .param_i(rq_param), .out_bits_i(u_attn_old ? old_out_bits : out_bits),
    .scores_ready_o(scores_ready), .pv_issue_ready_o(pv_issue_ready), .issue_i(issue && op_vector),
    .read_valid_i(read_valid && op_vector),
    .q_word_i(q_rdata), .kv_word_i(kv_rdata), .scores_done_o(scores_done), .idle_o(attn_idle_unused),
    .res_valid_o(pv_vec_valid), .res_o(pv_vec), .acc_valid_o(pv_valid), .acc_o(pv_acc),
    .score_valid_o(dbg_aux_valid_o), .score_pos_o(dbg_aux_pos_o), .score_head_o(dbg_aux_head_o),
    .score_o(dbg_aux_data_o),
    .prob_valid_o(dbg_prob_valid_o), .prob_pos_o(dbg_prob_pos_o), .prob_head_o(dbg_prob_head_o),
    .prob_o(dbg_prob_data_o));

  // ---- MATVEC: packer, matrix engine, serializer -----------------------------------------------------------------
  logic               gemv_issue, gemv_gs_read;
  logic               xmem_we, gemm_start, beat_valid, beat_ready, gemm_busy_unused, beat_last_unused;
  logic [XAddrW-1:0]  xmem_addr;
  logic [W_ROWS*A_W-1:0] xmem_data;
  logic [C*ACC_W-1:0] beat;
  logic               matvec_valid;
  logic [ACC_W-1:0]   matvec_acc;
  logic [31:0]        matvec_index;
  hw_core_gemm_packer #(.P(W_ROWS), .A_W(A_W), .X_ADDR_W(XAddrW), .WORDS(WordMode ? 1 : 0)) u_gemm_packer (
    .clk_i, .rst_ni, .setup_i(setup_matvec), .matvec_i(op_matvec), .elem_pop_i(elem_pop), .elem_last_i(elem_last),
    .elem_i(elem_a[A_W-1:0]), .n_inner_i(n_inner), .word_valid_i(read_valid), .word_last_i(read_last),
    .word_i((W_ROWS*32)'(scratch_a_word)), .xmem_we_o(xmem_we), .xmem_addr_o(xmem_addr), .xmem_data_o(xmem_data),
    .start_o(gemm_start));
  hw_gemv #(.P(W_ROWS), .C(C), .W_BITS(W_BITS), .GROUP_WORDS(W_GROUP_WORDS), .ZERO_POINT(W_ZERO_POINT),
            .GS_DEPTH(GS_DEPTH),
            .GS_FILE(W_GROUP_WORDS > 0 ? GS_FILE : ""), .A_W(A_W), .ACC_W(ACC_W), .K_MAX(K_MAX), .N_MAX(N_MAX),
            .W_DEPTH(W_DEPTH), .W_BANK_DEPTH(W_BANK_DEPTH), .W_FILE(W_FILE)) u_gemv (
    .clk_i, .rst_ni,
    .wmem_we_i(1'b0), .wmem_addr_i('0), .wmem_data_i('0),
    .gsmem_we_i(1'b0), .gsmem_addr_i('0), .gsmem_data_i('0),
    .xmem_we_i(xmem_we), .xmem_addr_i(xmem_addr), .xmem_data_i(xmem_data),
    .start_i(gemm_start), .k_i(DimW'(n_inner)), .n_i(DimW'(n_out)),
    .w_base_i(WAddrW'(w_base)), .gs_base_i(GsAddrW'(gs_base)), .busy_o(gemm_busy_unused), .issue_o(gemv_issue),
    .gs_read_o(gemv_gs_read),
    .out_valid_o(beat_valid), .out_ready_i(beat_ready), .out_data_o(beat), .out_last_o(beat_last_unused));
  // A MATVEC has done with its reads once the matrix engine has started too: hw_gemv takes its k, n and bases from the
  // running instruction's fields when it starts, one cycle after the packer's first (or, elementwise, last) word.
  logic matvec_started_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni)           matvec_started_q <= 1'b0;
    else if (setup_matvec) matvec_started_q <= 1'b0;
    else if (gemm_start)   matvec_started_q <= 1'b1;
  end
  assign reads_done = reader_idle && (!op_matvec || gemm_start || matvec_started_q);
  // Output side: with V_LANES = C a beat is requantized whole and written as one scratchpad word; else the beat is
  // serialized through the scalar requantizer.
  // EMBED and SWIGLU likewise take a word per cycle through V_LANES lanes (hw_core_elementwise) where V_LANES > 1.
  // A MATVEC with to_host (the classifier) also hands its result words to the output unit, which may hold the engine
  // back: a beat enters the requantizer only while the output FIFO has room for it and those in flight.
  logic                  vec_valid, old_vec_valid;
  logic [V_LANES*32-1:0] vec_results, old_vec_results;
  logic [2:0]            host_in_flight;
  logic                  held_back;  // the classifier's next result beat waits for room in the output FIFO
  if (V_LANES > 1) begin : gen_matvec_vector
    logic                  mv_valid, ew_valid, mv_ready, beat_take;
    logic [V_LANES*32-1:0] mv_results, ew_results;
    logic [2:0]            in_flight_q;
    logic mv_hold;  // the running MATVEC's results would not fit the writeback's queue
    assign mv_hold   = op_matvec && queueing && 32'(queue_count) + 32'(in_flight_q) >= QueueDepth;
    assign beat_take = beat_valid && (op_matvec || old_op_matvec) && (!to_host || output_word_credit) && !mv_hold;
    assign held_back = beat_valid && op_matvec && to_host && !output_word_credit;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) in_flight_q <= '0;
      else         in_flight_q <= in_flight_q + 3'(beat_take) - 3'(mv_valid);
    end
    assign host_in_flight = in_flight_q;
    assign beat_ready     = mv_ready && (!to_host || output_word_credit) && !mv_hold;
    hw_core_matvec_requant #(.V(V_LANES), .ACC_W(ACC_W), .RQV_DEPTH(RQV_DEPTH), .LANE_W(RQV_LANE_W),
                             .RQV_FILE(RQV_FILE)) u_matvec_requant (
      .clk_i, .rst_ni, .setup_i(setup_matvec), .rq_base_i(u_matvec_old ? old_rq_base : rq_base),
      .beat_valid_i(beat_take), .beat_ready_o(mv_ready), .beat_i(beat),
      .valid_o(mv_valid), .results_o(mv_results));
    hw_core_elementwise #(.V(V_LANES), .N_LAYERS(N_LAYERS), .LAYER_W(hw_isa_pkg::SiluLayerW), .GATE_W(GATE_W),
                          .SILU_FILE(SILU_FILE))
        u_elementwise (
      .clk_i, .rst_ni, .swiglu_i(rq_swiglu), .silu_layer_i(rq_silu_layer), .param_i(rq_param),
      .out_bits_i(rq_out_bits),
      .word_valid_i(read_valid && (op_embed || op_swiglu)), .a_word_i(scratch_a_word), .b_word_i(scratch_b_word),
      .emb_word_i((V_LANES*8)'(emb_rdata)), .valid_o(ew_valid), .results_o(ew_results));
    // Each instruction's results come from its own unit: the running one's and the draining one's.
    assign vec_valid       = op_matvec ? mv_valid : op_pv ? pv_vec_valid : (op_embed || op_swiglu) && ew_valid;
    assign vec_results     = op_matvec ? mv_results : op_pv ? pv_vec : ew_results;
    assign old_vec_valid   = old_op_matvec ? mv_valid : old_op_pv ? pv_vec_valid :
                             (old_op_embed || old_op_swiglu) && ew_valid;
    assign old_vec_results = old_op_matvec ? mv_results : old_op_pv ? pv_vec : ew_results;
    assign matvec_valid = 1'b0;
    assign matvec_acc   = '0;
    assign matvec_index = '0;
  end else begin : gen_matvec_serial
    logic unused_param;
    assign unused_param = ^{rq_param, pv_vec_valid, pv_vec, to_host, rq_swiglu, rq_silu_layer, old_op_matvec,
                            u_matvec_old, queueing};
    assign host_in_flight = '0;
    assign held_back      = 1'b0;
    hw_core_gemm_serializer #(.C(C), .ACC_W(ACC_W)) u_gemm_serializer (
      .clk_i, .rst_ni, .setup_i(setup_matvec), .n_out_i(n_out), .beat_valid_i(beat_valid), .beat_ready_o(beat_ready),
      .beat_i(beat), .valid_o(matvec_valid), .acc_o(matvec_acc), .index_o(matvec_index));
    assign vec_valid       = 1'b0;
    assign vec_results     = '0;
    assign old_vec_valid   = 1'b0;
    assign old_vec_results = '0;
  end

  // ---- requantizer ------------------------------------------------------------------------------------------------
  logic        requant_valid;
  logic [31:0] requant;
  hw_core_requant_feeder #(.ACC_W(ACC_W), .MAC_ACC_W(MAC_ACC_W), .RQ_ACC_W(RQ_ACC_W), .RQ_DEPTH(RQ_DEPTH),
                           .RQ_FILE(RQ_FILE)) u_requant_feeder (
    .clk_i, .rst_ni, .setup_i(setup_requant), .matvec_i(rq_matvec), .pv_i(rq_pv), .rq_base_i(rq_rq_base),
    .out_bits_i(rq_out_bits),
    .matvec_valid_i(matvec_valid), .matvec_acc_i(matvec_acc), .matvec_index_i(matvec_index),
    .pv_valid_i(pv_valid), .pv_acc_i(pv_acc), .mac_valid_i(mac_valid), .mac_acc_i(mac_acc),
    .out_valid_o(requant_valid), .out_o(requant), .param_o(rq_param));

  // ---- RMSNorm, RoPE ----------------------------------------------------------------------------------------------
  // RMSNorm: one element per beat from the element stream, or (V_LANES > 1) a scratchpad word of V_LANES per beat.
  // In word mode the reader does not wait for the unit: a NORM starts with hw_rmsnorm in its capture phase (the
  // previous NORM ended when its last result was written), which takes a beat every cycle.
  logic                       norm_valid, norm_ready, norm_out_valid, norm_out_last_unused;
  logic [V_LANES*XN_W-1:0]    norm_y;
  logic [V_LANES*RES_W-1:0]   norm_x;
  if (WordOutput) begin : gen_norm_words
    for (genvar l = 0; l < V_LANES; l++) begin : gen_lane
      assign norm_x[l*RES_W +: RES_W] = scratch_a_word[l*32 +: RES_W];
    end
  end else begin : gen_norm_elements
    assign norm_x = elem_a[RES_W-1:0];
  end
  hw_rmsnorm #(.DIM(DIM), .IN_W(RES_W), .OUT_W(XN_W), .LANES(V_LANES), .STEPS(NORM_STEPS)) u_rmsnorm (
    .clk_i, .rst_ni,
    .in_valid_i(WordOutput ? read_valid && op_norm : norm_valid), .in_ready_o(norm_ready), .x_i(norm_x),
    .gain_i(norm_rdata[23:0]), .shift_i(norm_rdata[29:24]), .eps_i(norm_rdata[71:32]),
    .out_valid_o(norm_out_valid), .out_ready_i(!(op_norm && queueing && 32'(queue_count) >= QueueDepth)),
    .y_o(norm_y), .out_last_o(norm_out_last_unused));
  // RoPE: one element per beat from the element stream, or (V_LANES > 1) a scratchpad word per cycle.
  logic                      rope_valid, rope_ready, rope_out_valid, rope_out_last_unused;
  logic [V_LANES*ROPE_W-1:0] rope_x, rope_y;
  if (WordOutput) begin : gen_rope_words
    for (genvar l = 0; l < V_LANES; l++) begin : gen_lane
      assign rope_x[l*ROPE_W +: ROPE_W] = scratch_a_word[l*32 +: ROPE_W];
    end
  end else begin : gen_rope_elements
    assign rope_x = elem_a[ROPE_W-1:0];
  end
  hw_rope #(.HEAD_SIZE(HEAD_SIZE), .SEQ_LEN(SEQ_LEN), .W(ROPE_W), .LANES(V_LANES), .COS_FILE(COS_FILE),
            .SIN_FILE(SIN_FILE)) u_rope (
    .clk_i, .rst_ni,
    .in_valid_i(WordOutput ? read_valid && op_rope : rope_valid), .in_ready_o(rope_ready), .x_i(rope_x),
    .in_last_i(WordOutput ? read_last : elem_last), .pos_i(pos),
    .out_valid_o(rope_out_valid), .out_ready_i(1'b1), .y_o(rope_y), .out_last_o(rope_out_last_unused));

  // ---- lane packers, output, writeback ----------------------------------------------------------------------------
  // COPYKV packs LANES per KV-cache word, PACKQ QLanes per q-buffer word.
  logic kv_pack_write, q_pack_write, kv_pack_credit, q_pack_credit, output_ready, output_done, results_done;
  hw_core_lane_packer #(.LANES(LANES), .HEAD_SIZE(LANES), .V(V_LANES), .WORDS(KvPackWords ? 1 : 0)) u_kv_packer (
    .clk_i, .rst_ni, .setup_i(setup_pack_kv), .pack_i(u_pack_kv_old || op_copy_kv), .elem_pop_i(elem_pop),
    .elem_i(elem_a[15:0]), .word_valid_i(read_valid && op_copy_kv), .word_i(scratch_a_word),
    .n_out_i(u_pack_kv_old ? old_n_out : n_out),
    .word_credit_o(kv_pack_credit), .write_o(kv_pack_write), .word_o(kv_pack_word));
  hw_core_lane_packer #(.LANES(QLanes), .HEAD_SIZE(QLanes), .V(V_LANES), .WORDS(QPackWords ? 1 : 0)) u_q_packer (
    .clk_i, .rst_ni, .setup_i(setup_pack_q), .pack_i(u_pack_q_old || op_pack_q), .elem_pop_i(elem_pop),
    .elem_i(elem_a[15:0]), .word_valid_i(read_valid && op_pack_q), .word_i(scratch_a_word),
    .n_out_i(u_pack_q_old ? old_n_out : n_out),
    .word_credit_o(q_pack_credit), .write_o(q_pack_write), .word_o(q_pack_word));
  assign pack_word_credit = op_copy_kv ? kv_pack_credit : q_pack_credit;
  hw_core_output #(.VOCAB(VOCAB), .V(V_LANES)) u_output (
    .clk_i, .rst_ni, .decode_i(decode), .setup_i(setup), .exec_i(exec), .output_i(op_output || to_host),
    .elem_valid_i(elem_valid), .elem_ready_o(output_ready), .elem_i(elem_a),
    .word_valid_i(op_output ? read_valid : vec_valid), .words_in_flight_i(op_output ? 3'(read_valid) : host_in_flight),
    .word_i(op_output ? scratch_a_word : vec_results),
    .word_credit_o(output_word_credit),
    .out_valid_o, .out_ready_i, .out_data_o, .out_lanes_o, .out_last_o, .done_o(output_done));
  logic result_old;
  hw_core_writeback #(.XN_W(XN_W), .ROPE_W(ROPE_W), .V(V_LANES), .QDEPTH(QueueDepth)) u_writeback (
    .clk_i, .rst_ni, .decode_i(decode),
    .overlap_i(overlap), .old_valid_i(old_valid), .old_op_norm_i(old_op_norm), .old_op_rope_i(old_op_rope),
    .old_op_copy_kv_i(old_op_copy_kv), .old_op_pack_q_i(old_op_pack_q), .old_n_out_i(old_n_out),
    .old_dst_i(old_dst), .old_out_bits_i(old_out_bits), .old_vec_valid_i(old_vec_valid), .old_vec_i(old_vec_results),
    .old_pack_write_i(old_op_copy_kv ? kv_pack_write : q_pack_write),
    .old_written_o(old_written), .old_done_o(old_done), .queue_empty_o(queue_empty), .queue_count_o(queue_count),
    .result_produced_o(cur_result), .result_old_o(result_old),
    .op_norm_i(op_norm), .op_rope_i(op_rope), .op_copy_kv_i(op_copy_kv), .op_scores_i(op_scores),
    .op_resadd_i(op_resadd), .op_output_i(op_output), .op_pack_q_i(op_pack_q), .op_pack_i(op_pack),
    .op_requant_i(op_requant), .op_matvec_i(op_matvec), .to_host_i(to_host), .op_pv_i(op_pv), .op_embed_i(op_embed),
    .op_swiglu_i(op_swiglu),
    .n_out_i(n_out), .dst_i(dst), .out_bits_i(out_bits),
    .elem_valid_i(elem_valid), .elem_a_i(elem_a), .elem_b_i(elem_b),
    .norm_ready_i(norm_ready), .rope_ready_i(rope_ready), .output_ready_i(output_ready),
    .elem_pop_o(elem_pop), .norm_valid_o(norm_valid), .rope_valid_o(rope_valid),
    .requant_valid_i(requant_valid), .requant_i(requant), .vec_valid_i(vec_valid), .vec_i(vec_results),
    .word_valid_i(read_valid && words), .a_word_i(scratch_a_word), .b_word_i(scratch_b_word),
    .norm_out_valid_i(norm_out_valid), .norm_i(norm_y),
    .rope_out_valid_i(rope_out_valid), .rope_i(rope_y),
    .pack_write_i(op_copy_kv ? kv_pack_write : q_pack_write),
    .output_done_i(output_done), .scores_done_i(scores_done),
    .scratch_we_o(scratch_we), .scratch_word_o(scratch_wword), .scratch_mask_o(scratch_wmask),
    .scratch_data_o(scratch_wdata),
    .kv_we_o(kv_we), .kv_addr_o(kv_waddr), .q_we_o(q_we), .q_addr_o(q_waddr),
    .result_valid_o(dbg_res_valid_o), .result_index_o(dbg_res_idx_o), .result_lanes_o(dbg_res_lanes_o),
    .result_o(dbg_res_data_o),
    .results_done_o(results_done), .op_done_o(op_done));
  // Host waits (the simulator leaves them out of the chip's cycles): where V_LANES = 1 OUTPUT pops a logit only when
  // the host takes it; where V_LANES > 1 the classifier runs ahead into the output FIFO until it is full.
  assign dbg_res_pc_o    = result_old ? old_pc : pc;
  assign dbg_oldest_pc_o = old_valid ? old_pc : pc;
  assign dbg_host_wait_o = out_valid_o && !out_ready_i && (!WordOutput || held_back || results_done);

  // ---- activity events (the read enables and write enables of the memories above) -------------------------------
  always_comb begin
    dbg_ev_o                                = '0;
    dbg_ev_o[hw_isa_pkg::EvWeightRead]   = gemv_issue;
    dbg_ev_o[hw_isa_pkg::EvGroupScaleRead] = gemv_gs_read;
    dbg_ev_o[hw_isa_pkg::EvXbufWrite]    = xmem_we;
    dbg_ev_o[hw_isa_pkg::EvScratchReadA] = issue;
    dbg_ev_o[hw_isa_pkg::EvScratchReadB] = issue && op_reads_b;
    dbg_ev_o[hw_isa_pkg::EvScratchWrite] = scratch_we;
    dbg_ev_o[hw_isa_pkg::EvKvRead]       = issue && op_vector;
    dbg_ev_o[hw_isa_pkg::EvKvWrite]      = kv_we;
    dbg_ev_o[hw_isa_pkg::EvQRead]        = issue && op_scores;
    dbg_ev_o[hw_isa_pkg::EvQWrite]       = q_we;
    dbg_ev_o[hw_isa_pkg::EvEmbRead]      = issue && op_embed;
    dbg_ev_o[hw_isa_pkg::EvNormRead]     = decode;
  end

  logic unused;
  assign unused = ^{old_op_resadd, gemm_busy_unused, beat_last_unused, group_start_unused, read_first_unused, attn_idle_unused, norm_out_last_unused, rope_out_last_unused, norm_rdata[31:30], elem_a[31:17],
                    elem_b[31:17], scratch_wword[31:ScratchW], kv_waddr[31:KvAddrW], q_waddr[31:QAddrW],
                    a_addr, b_addr};
endmodule
