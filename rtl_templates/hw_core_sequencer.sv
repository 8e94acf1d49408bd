// hw_core_sequencer — instruction fetch, decode and step control of hw_core (the program ROM is inside).
//
// One decode step per host request: in_valid_i/in_ready_o with (token, pos), accepted when idle. Each instruction
// then passes FETCH (ROM read), DECODE (its hw_isa_pkg::instr_t fields registered: a length of 0 becomes pos + 1,
// b_base gains token x EMB_WPR, rq_base the token, dst pos x KV_POS_WORDS, as its flags say), SETUP (units clear their
// per-instruction state; it leaves when the instruction may start) and EXEC (until op_done_i). The done of OUTPUT, or
// of a MATVEC with to_host (the classifier streaming its logits to the host), ends the step. A SCORES may start when
// the attention unit's softmax rows are free (scores_ready_i); every other instruction at once (a PV's reads wait
// for their probabilities in the reader).
// Overlap (OVERLAP = 1): once the running instruction has issued all of its reads (reads_done_i) and while its results
// drain, the next one may start if it uses none of its units (overlap_ok below: RESADD uses none; EMBED, SWIGLU,
// SCORES and PV share the requantizer word; OUTPUT and the classifier never overlap, a SCORES is never overtaken and
// a PV never starts early) and no other instruction is draining: the running one moves to the draining slot (old_*:
// the fields its units still read, its pc), the next is decoded (overlap_o) and set up at once. Its reads then wait
// in the reader for the draining instruction's results (hw_core's scoreboard), its results queue behind them in the
// writeback (queue_empty_i: a new overlap waits until that queue is empty), and it completes only after the draining
// one (old_done_i clears the slot).
// Timing: the next instruction is fetched while this one executes (the ROM is read at pc + 1 in EXEC's first cycle
// and holds the word) and decoded in the cycle of op_done_i (decode_o; the units see the new fields from the next
// cycle, when every result of this one is written), so after the step's first instruction each costs 1 cycle of
// SETUP plus the wait in SETUP. Only an instruction whose op_done_i comes in its first EXEC cycle, before the next
// word is read, goes through a DECODE cycle of its own. The decoded op is also given as one
// control bit per op (and the groups the units need), so no unit but this one reads hw_isa_pkg.
// Parameters default to the design's package (hardwire_cfg_pkg), so the unit elaborates on its own in a design.
module hw_core_sequencer #(
  parameter int unsigned VOCAB        = hardwire_cfg_pkg::Vocab,
  parameter int unsigned SEQ_LEN      = hardwire_cfg_pkg::SeqLen,
  parameter int unsigned PROG_DEPTH   = hardwire_cfg_pkg::ProgramWords,
  parameter int unsigned EMB_WPR      = hardwire_cfg_pkg::EmbWordsPerRow,  // embedding words per token row
  parameter int unsigned KV_POS_WORDS = hardwire_cfg_pkg::KvPosWords,      // KV-cache words per position (K and V rows)
  parameter              PROG_FILE    = "mem/program.hex",
  parameter bit          OVERLAP      = 1'b0   // an instruction may start while the one before drains
) (
  input  logic                              clk_i,
  input  logic                              rst_ni,
  // host request
  input  logic                              in_valid_i,
  output logic                              in_ready_o,
  input  logic [TokW-1:0]                   in_token_i,
  input  logic [PosW-1:0]                   in_pos_i,
  // start conditions and completion
  input  logic                              scores_ready_i,      // the softmax rows are free: a SCORES may start
  input  logic                              op_done_i,
  input  logic                              reads_done_i,   // the running instruction has issued all its reads
  input  logic                              queue_empty_i,  // the writeback holds no queued result
  input  logic                              old_done_i,     // the draining instruction has written all its results
  // state
  output logic                              busy_o,
  output logic [PcW-1:0]                    pc_o,
  output logic [PosW-1:0]                   pos_o,
  output logic                              decode_o,   // decode this cycle: DECODE, or the op_done_i cycle of
                                                        // EXEC (the norm ROM reads norm_index_o)
  output logic                              setup_o,    // SETUP this cycle: units clear per-instruction state
  output logic                              start_o,    // SETUP and the instruction starts: the reader begins
  output logic                              exec_o,
  output logic [hw_isa_pkg::NormIndexW-1:0] norm_index_o,  // of the fetched word (valid in DECODE)
  // decoded instruction (valid from SETUP to the end of EXEC)
  output logic [31:0]                       a_base_o,
  output logic [31:0]                       a_stride_inner_o,
  output logic [31:0]                       a_stride_outer_o,
  output logic [31:0]                       b_base_o,
  output logic [31:0]                       b_stride_inner_o,
  output logic [31:0]                       b_stride_outer_o,
  output logic [31:0]                       n_inner_o,
  output logic [31:0]                       n_outer_o,
  output logic [31:0]                       n_out_o,
  output logic [31:0]                       dst_o,
  output logic [31:0]                       rq_base_o,
  output logic [5:0]                        out_bits_o,
  output logic [hw_isa_pkg::WBaseW-1:0]     w_base_o,
  output logic [hw_isa_pkg::GsBaseW-1:0]    gs_base_o,
  output logic [hw_isa_pkg::SiluLayerW-1:0] silu_layer_o,
  output logic                              to_host_o,  // MATVEC: its results also go to the host
  // the op, one bit each, and the groups units select on
  output logic                              op_embed_o,
  output logic                              op_norm_o,
  output logic                              op_matvec_o,
  output logic                              op_rope_o,
  output logic                              op_copy_kv_o,
  output logic                              op_scores_o,
  output logic                              op_pv_o,
  output logic                              op_swiglu_o,
  output logic                              op_resadd_o,
  output logic                              op_output_o,
  output logic                              op_pack_q_o,
  output logic                              op_vector_o,      // SCORES, PV: lane-wide operands
  output logic                              op_pack_o,        // COPYKV, PACKQ: packed-word results
  output logic                              op_reads_b_o,     // SWIGLU, RESADD: source B in the scratchpad
  output logic                              op_requant_o,     // EMBED, MATVEC, PV, SWIGLU: results requantized
  // the draining instruction (OVERLAP): valid from the decode that moved it there until old_done_i
  output logic                              overlap_o,        // this decode moves the running instruction there
  output logic                              old_valid_o,
  output logic [PcW-1:0]                    old_pc_o,
  output logic [31:0]                       old_n_out_o,
  output logic [31:0]                       old_dst_o,
  output logic [31:0]                       old_rq_base_o,
  output logic [5:0]                        old_out_bits_o,
  output logic [hw_isa_pkg::SiluLayerW-1:0] old_silu_layer_o,
  output logic                              old_op_embed_o,
  output logic                              old_op_norm_o,
  output logic                              old_op_matvec_o,
  output logic                              old_op_rope_o,
  output logic                              old_op_copy_kv_o,
  output logic                              old_op_pv_o,
  output logic                              old_op_swiglu_o,
  output logic                              old_op_resadd_o,
  output logic                              old_op_pack_q_o
);
  localparam int unsigned TokW = (VOCAB > 1) ? $clog2(VOCAB) : 1;
  localparam int unsigned PosW = (SEQ_LEN > 1) ? $clog2(SEQ_LEN) : 1;
  localparam int unsigned PcW  = (PROG_DEPTH > 1) ? $clog2(PROG_DEPTH) : 1;

  typedef enum logic [2:0] {StateIdle, StateFetch, StateDecode, StateSetup, StateExec} state_e;
  state_e          state_q, state_d;
  logic [PcW-1:0]  pc_q, pc_d;
  logic [TokW-1:0] token_q, token_d;
  logic [PosW-1:0] pos_q, pos_d;
  logic            may_start;
  logic            decode;        // the fetched word is decoded this cycle
  logic            step_end;      // this instruction's op_done_i ends the step
  logic            decode_early;  // EXEC's op_done_i cycle decodes the next word (fetched in EXEC's first cycle)
  logic            overlap;       // EXEC decodes the next word while this instruction drains
  logic            old_valid_q;

  // Program ROM: one hw_isa_pkg::instr_t per word.
  logic                          exec_first_q;  // EXEC's first cycle: the next instruction is fetched
  logic [hw_isa_pkg::InstrW-1:0] rom_rdata;
  hw_isa_pkg::instr_t            instr;
  hw_sram #(.WIDTH(hw_isa_pkg::InstrW), .DEPTH(PROG_DEPTH), .INIT_FILE(PROG_FILE)) u_program (
    .clk_i, .we_i(1'b0), .waddr_i('0), .wdata_i('0), .wbe_i('0),
    .re_i(state_q == StateFetch || exec_first_q), .raddr_i(exec_first_q ? pc_q + PcW'(1) : pc_q),
    .rdata_o(rom_rdata));
  assign instr        = rom_rdata;
  assign norm_index_o = instr.norm_index;

  // ---- step control -----------------------------------------------------------------------------------------------
  hw_isa_pkg::op_e op_q;
  logic            to_host_q;
  assign may_start    = (op_q != hw_isa_pkg::OpScores) || scores_ready_i;
  assign step_end     = op_q == hw_isa_pkg::OpOutput || to_host_q;
  assign decode_early = state_q == StateExec && op_done_i && !old_valid_q && !step_end && !exec_first_q;

  // The units an op holds while it runs and drains (none: RESADD, whose sums are written as its words are read).
  // SCORES and PV hold the attention unit and the requantizer word (the score and output requantizers' constants),
  // EMBED and SWIGLU the requantizer word; OUTPUT holds all.
  typedef enum int unsigned {
    UnitRequant, UnitAttention, UnitNorm, UnitMatvec, UnitRope, UnitKvPack, UnitQPack, NumUnits
  } unit_e;
  typedef logic [NumUnits-1:0] units_t;
  function automatic units_t units_of(hw_isa_pkg::op_e op);
    units_of = '0;
    unique case (op)
      hw_isa_pkg::OpResadd:                        units_of = '0;
      hw_isa_pkg::OpEmbed, hw_isa_pkg::OpSwiglu:   units_of[UnitRequant] = 1'b1;
      hw_isa_pkg::OpScores, hw_isa_pkg::OpPv: begin
        units_of[UnitRequant]   = 1'b1;
        units_of[UnitAttention] = 1'b1;
      end
      hw_isa_pkg::OpNorm:                          units_of[UnitNorm] = 1'b1;
      hw_isa_pkg::OpMatvec:                        units_of[UnitMatvec] = 1'b1;
      hw_isa_pkg::OpRope:                          units_of[UnitRope] = 1'b1;
      hw_isa_pkg::OpCopyKv:                        units_of[UnitKvPack] = 1'b1;
      hw_isa_pkg::OpPackQ:                         units_of[UnitQPack] = 1'b1;
      default:                                     units_of = '1;  // OUTPUT
    endcase
  endfunction
  // May `next` start while `running` drains? They hold different units; neither is OUTPUT or the classifier
  // (to_host: its results go to the host); `running` is not SCORES (it is done when the softmax has every score, and
  // PV follows it); `next` is not PV (its probabilities come from the SCORES before it), nor a SCORES while a PACKQ
  // drains (the q buffer has no scoreboard; a COPYKV's KV-cache words do: hw_core holds the reads of its unwritten
  // ones).
  function automatic logic overlap_ok(hw_isa_pkg::op_e running, logic running_to_host, hw_isa_pkg::op_e next,
                                      logic next_to_host);
    overlap_ok = (units_of(running) & units_of(next)) == '0 && !running_to_host && !next_to_host &&
                 running != hw_isa_pkg::OpOutput && next != hw_isa_pkg::OpOutput &&
                 running != hw_isa_pkg::OpScores && next != hw_isa_pkg::OpPv &&
                 !(next == hw_isa_pkg::OpScores && running == hw_isa_pkg::OpPackQ);
  endfunction
  assign overlap      = OVERLAP && state_q == StateExec && !exec_first_q && !op_done_i && !old_valid_q &&
                        reads_done_i && queue_empty_i && overlap_ok(op_q, to_host_q, instr.op, instr.to_host);
  assign decode       = state_q == StateDecode || decode_early || overlap;

  always_comb begin
    state_d = state_q;
    pc_d    = pc_q;
    token_d = token_q;
    pos_d   = pos_q;
    unique case (state_q)
      StateIdle: begin
        if (in_valid_i) begin
          token_d = in_token_i;
          pos_d   = in_pos_i;
          pc_d    = '0;
          state_d = StateFetch;
        end
      end
      StateFetch:  state_d = StateDecode;
      StateDecode: state_d = StateSetup;
      StateSetup:  if (may_start) state_d = StateExec;
      StateExec: begin
        if (overlap) begin
          state_d = StateSetup;
          pc_d    = pc_q + PcW'(1);
        end else if (op_done_i && !old_valid_q) begin
          if (step_end) begin
            state_d = StateIdle;
            pc_d    = '0;
          end else begin
            // Fetched in EXEC's first cycle: decoded now, or (op_done_i in that very cycle) in DECODE.
            state_d = decode_early ? StateSetup : StateDecode;
            pc_d    = pc_q + PcW'(1);
          end
        end
      end
      default: state_d = StateIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= StateIdle;
      pc_q    <= '0;
      token_q <= '0;
      pos_q   <= '0;
      op_q      <= hw_isa_pkg::OpOutput;
      to_host_q <= 1'b0;
      exec_first_q <= 1'b0;
    end else begin
      exec_first_q <= state_q == StateSetup && may_start;
      state_q <= state_d;
      pc_q    <= pc_d;
      token_q <= token_d;
      pos_q   <= pos_d;
      if (decode) begin
        op_q      <= instr.op;
        to_host_q <= instr.to_host;
      end
    end
  end

  // ---- decode -----------------------------------------------------------------------------------------------------
  logic [31:0] pos_plus_one, token_row, pos_row;
  assign pos_plus_one = 32'(pos_q) + 32'd1;
  assign token_row    = 32'(token_q) * 32'(EMB_WPR);
  assign pos_row      = 32'(pos_q) * 32'(KV_POS_WORDS);

  logic [31:0] a_base_q, a_stride_inner_q, a_stride_outer_q, b_base_q, b_stride_inner_q, b_stride_outer_q;
  logic [31:0] n_inner_q, n_outer_q, n_out_q, dst_q, rq_base_q;
  logic [5:0]  out_bits_q;
  logic [hw_isa_pkg::WBaseW-1:0]     w_base_q;
  logic [hw_isa_pkg::GsBaseW-1:0]    gs_base_q;
  logic [hw_isa_pkg::SiluLayerW-1:0] silu_layer_q;
  always_ff @(posedge clk_i) begin
    if (decode) begin
      a_base_q         <= 32'(instr.a_base);
      a_stride_inner_q <= 32'(instr.a_stride_inner);
      a_stride_outer_q <= 32'(instr.a_stride_outer);
      b_base_q         <= 32'(instr.b_base) + (instr.b_add_token_row ? token_row : 32'd0);
      b_stride_inner_q <= 32'(instr.b_stride_inner);
      b_stride_outer_q <= 32'(instr.b_stride_outer);
      n_inner_q        <= (instr.n_inner == '0) ? pos_plus_one : 32'(instr.n_inner);
      n_outer_q        <= (instr.n_outer == '0) ? pos_plus_one : 32'(instr.n_outer);
      n_out_q          <= (instr.n_out == '0) ? pos_plus_one : 32'(instr.n_out);
      dst_q            <= 32'(instr.dst) + (instr.dst_add_position ? pos_row : 32'd0);
      rq_base_q        <= 32'(instr.rq_base) + (instr.rq_add_token ? 32'(token_q) : 32'd0);
      out_bits_q       <= 6'(instr.out_bits);
      w_base_q         <= instr.w_base;
      gs_base_q        <= instr.gs_base;
      silu_layer_q     <= instr.silu_layer;
    end
  end

  // ---- the draining slot -------------------------------------------------------------------------------------------
  hw_isa_pkg::op_e                   old_op_q;
  logic [PcW-1:0]                    old_pc_q;
  logic [31:0]                       old_n_out_q, old_dst_q, old_rq_base_q;
  logic [5:0]                        old_out_bits_q;
  logic [hw_isa_pkg::SiluLayerW-1:0] old_silu_layer_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni)         old_valid_q <= 1'b0;
    else if (overlap)    old_valid_q <= 1'b1;
    else if (old_done_i) old_valid_q <= 1'b0;
  end
  always_ff @(posedge clk_i) begin
    if (overlap) begin
      old_op_q         <= op_q;
      old_pc_q         <= pc_q;
      old_n_out_q      <= n_out_q;
      old_dst_q        <= dst_q;
      old_rq_base_q    <= rq_base_q;
      old_out_bits_q   <= out_bits_q;
      old_silu_layer_q <= silu_layer_q;
    end
  end
  assign overlap_o        = overlap;
  assign old_valid_o      = old_valid_q;
  assign old_pc_o         = old_pc_q;
  assign old_n_out_o      = old_n_out_q;
  assign old_dst_o        = old_dst_q;
  assign old_rq_base_o    = old_rq_base_q;
  assign old_out_bits_o   = old_out_bits_q;
  assign old_silu_layer_o = old_silu_layer_q;
  assign old_op_embed_o   = old_valid_q && old_op_q == hw_isa_pkg::OpEmbed;
  assign old_op_norm_o    = old_valid_q && old_op_q == hw_isa_pkg::OpNorm;
  assign old_op_matvec_o  = old_valid_q && old_op_q == hw_isa_pkg::OpMatvec;
  assign old_op_rope_o    = old_valid_q && old_op_q == hw_isa_pkg::OpRope;
  assign old_op_copy_kv_o = old_valid_q && old_op_q == hw_isa_pkg::OpCopyKv;
  assign old_op_pv_o      = old_valid_q && old_op_q == hw_isa_pkg::OpPv;
  assign old_op_swiglu_o  = old_valid_q && old_op_q == hw_isa_pkg::OpSwiglu;
  assign old_op_resadd_o  = old_valid_q && old_op_q == hw_isa_pkg::OpResadd;
  assign old_op_pack_q_o  = old_valid_q && old_op_q == hw_isa_pkg::OpPackQ;

  assign in_ready_o       = state_q == StateIdle;
  assign busy_o           = state_q != StateIdle;
  assign pc_o             = pc_q;
  assign pos_o            = pos_q;
  assign decode_o         = decode;
  assign setup_o          = state_q == StateSetup;
  assign start_o          = state_q == StateSetup && may_start;
  assign exec_o           = state_q == StateExec;
  assign a_base_o         = a_base_q;
  assign a_stride_inner_o = a_stride_inner_q;
  assign a_stride_outer_o = a_stride_outer_q;
  assign b_base_o         = b_base_q;
  assign b_stride_inner_o = b_stride_inner_q;
  assign b_stride_outer_o = b_stride_outer_q;
  assign n_inner_o        = n_inner_q;
  assign n_outer_o        = n_outer_q;
  assign n_out_o          = n_out_q;
  assign dst_o            = dst_q;
  assign rq_base_o        = rq_base_q;
  assign out_bits_o       = out_bits_q;
  assign w_base_o         = w_base_q;
  assign gs_base_o        = gs_base_q;
  assign silu_layer_o     = silu_layer_q;
  assign to_host_o        = to_host_q;

  assign op_embed_o       = op_q == hw_isa_pkg::OpEmbed;
  assign op_norm_o        = op_q == hw_isa_pkg::OpNorm;
  assign op_matvec_o      = op_q == hw_isa_pkg::OpMatvec;
  assign op_rope_o        = op_q == hw_isa_pkg::OpRope;
  assign op_copy_kv_o     = op_q == hw_isa_pkg::OpCopyKv;
  assign op_scores_o      = op_q == hw_isa_pkg::OpScores;
  assign op_pv_o          = op_q == hw_isa_pkg::OpPv;
  assign op_swiglu_o      = op_q == hw_isa_pkg::OpSwiglu;
  assign op_resadd_o      = op_q == hw_isa_pkg::OpResadd;
  assign op_output_o      = op_q == hw_isa_pkg::OpOutput;
  assign op_pack_q_o      = op_q == hw_isa_pkg::OpPackQ;
  assign op_vector_o      = op_scores_o || op_pv_o;
  assign op_pack_o        = op_copy_kv_o || op_pack_q_o;
  assign op_reads_b_o     = op_swiglu_o || op_resadd_o;
  assign op_requant_o     = op_embed_o || op_matvec_o || op_pv_o || op_swiglu_o;

`ifndef SYNTHESIS
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      // in reset: nothing to check
    end else begin
      if (state_q == StateIdle && in_valid_i && 32'(in_pos_i) >= SEQ_LEN)
        $error("hw_core: position %0d >= SEQ_LEN", in_pos_i);
      if (state_q == StateIdle && in_valid_i && 32'(in_token_i) >= VOCAB)
        $error("hw_core: token %0d >= VOCAB", in_token_i);
    end
  end
`endif
endmodule
