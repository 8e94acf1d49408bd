// hw_core_writeback — hands the element stream to the running instruction's consumer and collects its results.
//
// Dispatch: the element stream is taken by hw_rmsnorm (NORM) or hw_rope (ROPE) when they are ready, by the output
// unit (OUTPUT) when the host is, and by every other consumer each cycle (elem_pop_o: an element leaves the FIFO).
// Results, one per cycle at most (only the running instruction's unit produces any): the requantizer (EMBED, MATVEC,
// PV, SWIGLU), the RMSNorm and RoPE outputs (RoPE saturated to out_bits), RESADD's saturating sum of the popped pair,
// and the lane packer's words (COPYKV, PACKQ). A result goes to scratchpad word dst + index, to KV-cache word dst +
// index (COPYKV) or q-buffer word index (PACKQ); each memory has its own write port. op_done_o: n_out results written
// (SCORES: the attention unit took every score; OUTPUT: the token taken).
// The scratchpad has V elements per word (V = 1: one): a single result writes lane (address mod V) of its word; where
// V > 1 MATVEC's results come V at a time (hw_core_matvec_requant), one word per beat, as do EMBED's and SWIGLU's
// (hw_core_elementwise) and ROPE's (hw_rope's V lanes), and RESADD takes whole words
// of both operands (word_valid_i) and writes V saturated sums per cycle, and NORM writes hw_rmsnorm's V outputs per
// cycle, and PV's results come V at a time (hw_core_attention); the lanes past n_out are masked.
// The debug tap shows every scratchpad write: the index of its first result, how many (result_lanes_o), and their
// values, and whether it is the draining instruction's (result_old_o). Packed words are not on it (they are checked
// through the scores and attention outputs that read them).
// Two instructions in flight (hw_core_sequencer's OVERLAP, V > 1 only): the draining one (old_*) writes its results as
// they come (its unit is its own: NORM, ROPE, a vector unit's old_vec_*, or a lane packer's old_pack_write_i); the
// running one's scratchpad results go into an in-order queue of QDEPTH beats while the draining one is in flight or
// the queue holds any, and leave it, one per cycle, when the draining one writes no scratchpad word that cycle and the
// beat's lanes are not among the draining one's unwritten results. Packed words never queue: the KV cache and the q
// buffer each have one writer at a time (the sequencer never lets two COPYKVs or two PACKQs be in flight), so the
// draining one's and the running one's go to their memories as they come, beside the scratchpad's write. At the
// decode that moves the running instruction to the draining slot (overlap_i) its count moves with it. The running
// one is done when all its results are produced and the queue is empty; old_done_o when the draining one's are
// written. old_written_o (its results written so far) is the scoreboard's frontier; queue_count_o lets hw_core hold
// the reader and the units so that the queue never overflows.
module hw_core_writeback #(
  parameter int unsigned XN_W   = 8,
  parameter int unsigned ROPE_W = 16,
  parameter int unsigned V      = 1,   // scratchpad elements per word (a power of two)
  parameter int unsigned QDEPTH = 4    // the running instruction's queue, in beats
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  input  logic                     decode_i,
  input  logic                     op_norm_i,
  input  logic                     op_rope_i,
  input  logic                     op_copy_kv_i,
  input  logic                     op_scores_i,
  input  logic                     op_resadd_i,
  input  logic                     op_output_i,
  input  logic                     op_pack_q_i,
  input  logic                     op_pack_i,
  input  logic                     op_requant_i,   // EMBED, MATVEC, PV, SWIGLU: results from the requantizer
  input  logic                     op_matvec_i,
  input  logic                     to_host_i,      // MATVEC streams to the host: done when the output unit is
  input  logic                     op_pv_i,
  input  logic                     op_embed_i,
  input  logic                     op_swiglu_i,
  input  logic [31:0]              n_out_i,
  input  logic [31:0]              dst_i,
  input  logic [5:0]               out_bits_i,
  // the draining instruction
  input  logic                     overlap_i,       // the running instruction moves to the draining slot
  input  logic                     old_valid_i,
  input  logic                     old_op_norm_i,
  input  logic                     old_op_rope_i,
  input  logic                     old_op_copy_kv_i,
  input  logic                     old_op_pack_q_i,
  input  logic [31:0]              old_n_out_i,
  input  logic [31:0]              old_dst_i,
  input  logic [5:0]               old_out_bits_i,
  input  logic                     old_vec_valid_i,  // its vector unit's results (MATVEC, EMBED, SWIGLU, PV)
  input  logic [V*32-1:0]          old_vec_i,
  input  logic                     old_pack_write_i, // its lane packer's words (COPYKV, PACKQ)
  output logic [31:0]              old_written_o,
  output logic                     old_done_o,
  output logic                     queue_empty_o,
  output logic [QCountW-1:0]       queue_count_o,
  // dispatch
  input  logic                     elem_valid_i,
  input  logic [31:0]              elem_a_i,
  input  logic [31:0]              elem_b_i,
  input  logic                     norm_ready_i,
  input  logic                     rope_ready_i,
  input  logic                     output_ready_i,
  output logic                     elem_pop_o,
  output logic                     norm_valid_o,
  output logic                     rope_valid_o,
  // results
  input  logic                     requant_valid_i,
  input  logic [31:0]              requant_i,
  input  logic                     vec_valid_i,    // V > 1: V results of MATVEC (one beat), EMBED, SWIGLU or PV
  input  logic [V*32-1:0]          vec_i,
  input  logic                     word_valid_i,   // V > 1: RESADD's operand words
  input  logic [V*32-1:0]          a_word_i,
  input  logic [V*32-1:0]          b_word_i,
  input  logic                     norm_out_valid_i,
  input  logic [V*XN_W-1:0]        norm_i,       // V lanes where V > 1 (NORM writes V per cycle)
  input  logic                     rope_out_valid_i,
  input  logic [V*ROPE_W-1:0]      rope_i,       // V lanes where V > 1 (ROPE writes V per cycle)
  input  logic                     pack_write_i,   // the running instruction's lane packer (COPYKV, PACKQ)
  input  logic                     output_done_i,
  input  logic                     scores_done_i,  // SCORES: the attention unit took every score
  // memory write ports
  output logic                     scratch_we_o,
  output logic [31:0]              scratch_word_o,  // scratchpad word (element address / V)
  output logic [V-1:0]             scratch_mask_o,  // lanes written
  output logic [V*32-1:0]          scratch_data_o,
  output logic                     kv_we_o,
  output logic [31:0]              kv_addr_o,
  output logic                     q_we_o,
  output logic [31:0]              q_addr_o,
  // the scratchpad writes (debug tap)
  output logic                     result_valid_o,
  output logic [31:0]              result_index_o,
  output logic [LanesW-1:0]        result_lanes_o,
  output logic [V*32-1:0]          result_o,
  output logic                     result_old_o,    // the write is the draining instruction's
  output logic                     result_produced_o, // the running instruction's unit gave results (written or queued)
  output logic                     results_done_o,  // n_out results written (a to_host MATVEC: then the host's)
  output logic                     op_done_o
);
  localparam int unsigned LanesW   = $clog2(V + 1);
  localparam int unsigned QCountW  = $clog2(QDEPTH + 1);
  localparam int unsigned LogV     = $clog2(V);
  if (V < 1 || (V & (V - 1)) != 0) begin : gen_check_v
    $error("hw_core_writeback: V must be a power of two");
  end
  localparam bit VecMatvec = V > 1;  // MATVEC results come V per beat, RESADD adds V pairs per cycle

  logic        elem_ready, result_valid, vector;
  logic [31:0] result;
  logic [31:0] count_q, count_d, lanes, off;
  logic [V*32-1:0] vec;
  // Each lane's result (hw_core_writeback_lane): RESADD's saturated sum, NORM's output, ROPE's saturated output or
  // the unit's vector lane; the draining instruction's lanes likewise (never RESADD: its sums are written as its
  // words are read).
  logic [V*32-1:0] old_vec;
  for (genvar l = 0; l < V; l++) begin : gen_lane
    hw_core_writeback_lane #(.XN_W(XN_W), .ROPE_W(ROPE_W)) u_lane (
      .op_resadd_i, .op_norm_i, .op_rope_i, .out_bits_i,
      .a_i(a_word_i[l*32 +: 32]), .b_i(b_word_i[l*32 +: 32]), .norm_i(norm_i[l*XN_W +: XN_W]),
      .rope_i(rope_i[l*ROPE_W +: ROPE_W]), .vec_i(vec_i[l*32 +: 32]), .y_o(vec[l*32 +: 32]));
  end
  if (V > 1) begin : gen_old_lanes
    for (genvar l = 0; l < V; l++) begin : gen_lane
      hw_core_writeback_lane #(.XN_W(XN_W), .ROPE_W(ROPE_W)) u_lane (
        .op_resadd_i(1'b0), .op_norm_i(old_op_norm_i), .op_rope_i(old_op_rope_i), .out_bits_i(old_out_bits_i),
        .a_i('0), .b_i('0), .norm_i(norm_i[l*XN_W +: XN_W]),
        .rope_i(rope_i[l*ROPE_W +: ROPE_W]), .vec_i(old_vec_i[l*32 +: 32]), .y_o(old_vec[l*32 +: 32]));
    end
  end else begin : gen_no_old_lanes
    assign old_vec = '0;
  end

  always_comb begin
    if (op_norm_i)        elem_ready = norm_ready_i;
    else if (op_rope_i)   elem_ready = rope_ready_i;
    else if (op_output_i) elem_ready = output_ready_i;
    else                  elem_ready = 1'b1;
  end
  assign elem_pop_o   = elem_valid_i && elem_ready;
  assign norm_valid_o = elem_valid_i && op_norm_i;
  assign rope_valid_o = elem_valid_i && op_rope_i;

  // ---- the running instruction's results ------------------------------------------------------------------------
  always_comb begin
    result_valid = 1'b0;
    result       = '0;
    if (vector) begin
      result_valid = op_resadd_i ? word_valid_i : op_norm_i ? norm_out_valid_i : op_rope_i ? rope_out_valid_i :
                     vec_valid_i;
    end else if (op_requant_i) begin
      result_valid = requant_valid_i;
      result       = requant_i;
    end else if (op_norm_i) begin
      result_valid = norm_out_valid_i;
      result       = 32'($signed(norm_i[XN_W-1:0]));
    end else if (op_rope_i) begin
      result_valid = rope_out_valid_i;
      result       = hw_core_pkg::sat_to(33'($signed(rope_i[ROPE_W-1:0])), out_bits_i);
    end else if (op_resadd_i) begin
      result_valid = elem_pop_o;
      result       = hw_core_pkg::sat_to({elem_a_i[31], elem_a_i} + {elem_b_i[31], elem_b_i}, out_bits_i);
    end else if (op_pack_i) begin
      result_valid = pack_write_i;
    end
  end

  // MATVEC, RESADD, NORM, EMBED, SWIGLU, ROPE and PV with V lanes: a beat of results written from lane
  // off = (dst + count) mod V of its word (0 where dst starts a word), as many as are left of n_out and fit the word;
  // the beat's first result goes to lane off (the data rotated by off when it is written).
  assign vector = VecMatvec && (op_matvec_i || op_resadd_i || op_norm_i || op_embed_i || op_swiglu_i || op_rope_i ||
                                op_pv_i);
  assign off    = (dst_i + count_q) & 32'(V - 1);
  assign lanes  = vector ? ((n_out_i - count_q < 32'(V) - off) ? n_out_i - count_q : 32'(V) - off) : 32'd1;

  // count_q: the running instruction's results given so far. A decode starts the next one at 0; the overlap decode
  // hands the count, with this cycle's results, to the draining slot.
  logic [31:0] count_given;
  assign count_given = result_valid ? count_q + lanes : count_q;
  assign count_d     = decode_i ? '0 : count_given;

  // ---- the draining instruction's results (written at once) -----------------------------------------------------
  logic        old_vector, old_result_valid, old_pack;
  logic [31:0] old_count_q, old_off, old_lanes;
  assign old_pack         = old_op_copy_kv_i || old_op_pack_q_i;
  assign old_vector       = VecMatvec && !old_pack;
  assign old_result_valid = old_valid_i && (old_op_norm_i ? norm_out_valid_i : old_op_rope_i ? rope_out_valid_i :
                                            old_pack ? old_pack_write_i : old_vec_valid_i);
  assign old_off   = (old_dst_i + old_count_q) & 32'(V - 1);
  assign old_lanes = old_vector ? ((old_n_out_i - old_count_q < 32'(V) - old_off) ? old_n_out_i - old_count_q :
                                   32'(V) - old_off) : 32'd1;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      count_q     <= '0;
      old_count_q <= '0;
    end else begin
      count_q <= count_d;
      if (overlap_i)             old_count_q <= count_given;
      else if (old_result_valid) old_count_q <= old_count_q + old_lanes;
    end
  end
  assign old_written_o = old_count_q;
  assign old_done_o    = old_valid_i && old_count_q == old_n_out_i;

  // ---- the running instruction's queue ---------------------------------------------------------------------------
  // A beat: the index of its first result, how many, and the unrotated values. Only V > 1 has one.
  localparam int unsigned EntryW = 32 + LanesW + V * 32;
  logic              queueing, enqueue, dequeue, head_valid, head_clear;
  logic [31:0]       head_index, head_lo, old_lo, old_hi;
  logic [LanesW-1:0] head_lanes;
  logic [V*32-1:0]   head_data;
  logic [QCountW-1:0] q_count;
  assign queueing = VecMatvec && (old_valid_i || head_valid);
  assign enqueue  = queueing && result_valid && vector;
  if (V > 1) begin : gen_queue
    logic              in_ready_unused;
    logic [EntryW-1:0] head;
    logic [$clog2(QDEPTH)+1-1:0] count;
    hw_fifo #(.WIDTH(EntryW), .DEPTH(QDEPTH)) u_queue (
      .clk_i, .rst_ni,
      .in_valid_i(enqueue), .in_ready_o(in_ready_unused), .in_data_i({count_q, LanesW'(lanes), vec}),
      .out_valid_o(head_valid), .out_ready_i(dequeue), .out_data_o(head), .count_o(count));
    assign q_count = QCountW'(count);
    assign {head_index, head_lanes, head_data} = head;
    logic unused_queue;
    assign unused_queue = in_ready_unused;
  end else begin : gen_no_queue
    assign head_valid = 1'b0;
    assign q_count    = '0;
    assign head_index = '0;
    assign head_lanes = '0;
    assign head_data  = '0;
  end
  assign queue_count_o = q_count;
  assign queue_empty_o = !head_valid;
  // The head may be written unless one of its lanes is among the draining instruction's unwritten results.
  assign head_lo    = dst_i + head_index;
  assign old_lo     = old_dst_i + old_count_q;
  assign old_hi     = old_dst_i + old_n_out_i;
  assign head_clear = !old_valid_i || old_pack || head_lo + 32'(head_lanes) <= old_lo || old_hi <= head_lo;
  logic old_scratch_write;  // the draining instruction writes a scratchpad word this cycle
  assign old_scratch_write = old_result_valid && !old_pack;
  assign dequeue    = head_valid && !old_scratch_write && head_clear;

  // ---- the packed words' ports (KV cache, q buffer) --------------------------------------------------------------
  // The draining instruction's words at its own count, the running one's at its count; never two to one memory.
  logic old_kv, old_q, cur_kv, cur_q;
  assign old_kv    = old_result_valid && old_op_copy_kv_i;
  assign old_q     = old_result_valid && old_op_pack_q_i;
  assign cur_kv    = result_valid && op_copy_kv_i;
  assign cur_q     = result_valid && op_pack_q_i;
  assign kv_we_o   = old_kv || cur_kv;
  assign kv_addr_o = old_kv ? old_dst_i + old_count_q : dst_i + count_q;
  assign q_we_o    = old_q || cur_q;
  assign q_addr_o  = old_q ? old_count_q : count_q;

  // ---- the scratchpad's write port ------------------------------------------------------------------------------
  // One write per cycle: the draining instruction's, else the queue's head, else the running one's own (when it
  // does not queue).
  logic            w_valid, w_old, w_vector;
  logic [31:0]     w_dst, w_index, w_lanes, w_addr, w_off, w_result;
  logic [V*32-1:0] w_vec, w_rot;
  logic [V-1:0]    w_mask;
  always_comb begin
    w_old    = 1'b0;
    w_valid  = 1'b0;
    w_vector = vector;
    w_dst    = dst_i;
    w_index  = count_q;
    w_lanes  = lanes;
    w_vec    = vec;
    w_result = result;
    if (old_scratch_write) begin
      w_old    = 1'b1;
      w_valid  = 1'b1;
      w_vector = old_vector;
      w_dst    = old_dst_i;
      w_index  = old_count_q;
      w_lanes  = old_lanes;
      w_vec    = old_vec;
    end else if (dequeue) begin
      w_valid  = 1'b1;
      w_vector = 1'b1;
      w_index  = head_index;
      w_lanes  = 32'(head_lanes);
      w_vec    = head_data;
    end else if (!queueing) begin
      w_valid  = result_valid && !op_pack_i;
    end
  end
  assign w_addr    = w_dst + w_index;
  assign w_off     = w_addr & 32'(V - 1);
  // w_rot: lane l holds w_vec's lane (l - w_off) mod V, a rotation by w_off lanes in LogV fixed stages (a barrel:
  // stage s rotates by 2^s lanes or not), not V lane multiplexers of V inputs.
  always_comb begin
    for (int l = 0; l < V; l++) w_mask[l] = 32'(l) - w_off < w_lanes;  // below off the difference wraps past any count
  end
  if (V > 1) begin : gen_rot
    always_comb begin
      w_rot = w_vec;
      for (int s = 0; s < LogV; s++) begin
        if (w_off[s]) w_rot = (w_rot << ((1 << s) * 32)) | (w_rot >> ((V - (1 << s)) * 32));
      end
    end
  end else begin : gen_no_rot
    assign w_rot = w_vec;
  end

  assign results_done_o = count_q == n_out_i && queue_empty_o;
  assign op_done_o      = (op_output_i || to_host_i) ? output_done_i : op_scores_i ? scores_done_i : results_done_o;

  assign scratch_we_o   = w_valid;
  assign scratch_word_o = w_addr >> LogV;
  assign scratch_mask_o = w_vector ? w_mask : V'(1) << (w_addr & 32'(V - 1));
  assign scratch_data_o = w_vector ? w_rot : {V{w_result}};
  assign result_valid_o = w_valid;
  assign result_index_o = w_index;
  assign result_lanes_o = LanesW'(w_lanes);
  assign result_o       = w_vector ? w_vec : (V*32)'(w_result);
  assign result_old_o   = w_old;
  assign result_produced_o = result_valid;

`ifndef SYNTHESIS
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      // in reset: nothing to check
    end else begin
      if (enqueue && !dequeue && 32'(q_count) == QDEPTH)
        $error("hw_core_writeback: the running instruction's result queue overflows");
      if (queueing && result_valid && !vector && !op_pack_i)
        $error("hw_core_writeback: only vector results may queue behind a draining instruction");
      if ((old_kv && cur_kv) || (old_q && cur_q))
        $error("hw_core_writeback: two instructions write the KV cache or the q buffer at once");
    end
  end
`endif

  logic unused;
  assign unused = ^{old_vec_i, old_out_bits_i};
endmodule
