// hw_core_writeback — hands the element stream to the running instruction's consumer and collects its results.
//
// Dispatch: the element stream is taken by hw_rmsnorm (NORM) or hw_rope (ROPE) when they are ready, by the output
// unit (OUTPUT) when the host is, and by every other consumer each cycle (elem_pop_o: an element leaves the FIFO).
// Results, one per cycle at most (only the running instruction's unit produces any): the requantizer (EMBED, MATVEC,
// PV, SWIGLU), the RMSNorm and RoPE outputs (RoPE saturated to out_bits), RESADD's saturating sum of the popped pair,
// and the lane packer's words (COPYKV, PACKQ). A result goes to scratchpad word dst + index, to KV-cache word dst +
// index (COPYKV) or q-buffer word index (PACKQ). op_done_o: n_out results written (SCORES: the attention unit took
// every score; OUTPUT: the token taken).
// The scratchpad has V elements per word (V = 1: one): a single result writes lane (address mod V) of its word; where
// V > 1 MATVEC's results come V at a time (hw_core_matvec_requant), one word per beat, as do EMBED's and SWIGLU's
// (hw_core_elementwise) and ROPE's (hw_rope's V lanes), and RESADD takes whole words
// of both operands (word_valid_i) and writes V saturated sums per cycle, and NORM writes hw_rmsnorm's V outputs per
// cycle, and PV's results come V at a time (hw_core_attention); the lanes past n_out are masked.
// The debug tap shows every write: the index of its first result, how many (result_lanes_o), and their values.
module hw_core_writeback #(
  parameter int unsigned XN_W   = 8,
  parameter int unsigned ROPE_W = 16,
  parameter int unsigned V      = 1    // scratchpad elements per word (a power of two)
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
  input  logic                     pack_write_i,
  input  logic [31:0]              pack_word_i,    // the packed word's low 32 bits (for the tap)
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
  // this instruction's results (debug tap)
  output logic                     result_valid_o,
  output logic [31:0]              result_index_o,
  output logic [LanesW-1:0]        result_lanes_o,
  output logic [V*32-1:0]          result_o,
  output logic                     results_done_o,  // n_out results written (a to_host MATVEC: then the host's)
  output logic                     op_done_o
);
  localparam int unsigned LanesW   = $clog2(V + 1);
  localparam int unsigned LogV     = $clog2(V);
  if (V < 1 || (V & (V - 1)) != 0) begin : gen_check_v
    $error("hw_core_writeback: V must be a power of two");
  end
  localparam bit VecMatvec = V > 1;  // MATVEC results come V per beat, RESADD adds V pairs per cycle

  logic        elem_ready, result_valid, vector;
  logic [31:0] result;
  logic [31:0] count_q, count_d, lanes, addr, off;
  logic [V-1:0] vec_mask;
  logic [V*32-1:0] vec_rot;
  logic [V*32-1:0] vec;
  // Each lane's result (hw_core_writeback_lane): RESADD's saturated sum, NORM's output, ROPE's saturated output or
  // the unit's vector lane.
  for (genvar l = 0; l < V; l++) begin : gen_lane
    hw_core_writeback_lane #(.XN_W(XN_W), .ROPE_W(ROPE_W)) u_lane (
      .op_resadd_i, .op_norm_i, .op_rope_i, .out_bits_i,
      .a_i(a_word_i[l*32 +: 32]), .b_i(b_word_i[l*32 +: 32]), .norm_i(norm_i[l*XN_W +: XN_W]),
      .rope_i(rope_i[l*ROPE_W +: ROPE_W]), .vec_i(vec_i[l*32 +: 32]), .y_o(vec[l*32 +: 32]));
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
      result       = pack_word_i;
    end
  end

  // MATVEC, RESADD, NORM, EMBED, SWIGLU, ROPE and PV with V lanes: a beat of results written from lane
  // off = (dst + count) mod V of its word (0 where dst starts a word), as many as are left of n_out and fit the word;
  // the beat's first result goes to lane off (the data rotated by off).
  assign vector = VecMatvec && (op_matvec_i || op_resadd_i || op_norm_i || op_embed_i || op_swiglu_i || op_rope_i ||
                                op_pv_i);
  assign off    = (dst_i + count_q) & 32'(V - 1);
  // vec_rot: lane l holds vec's lane (l - off) mod V, a rotation by off lanes in LogV fixed stages (a barrel: stage s
  // rotates by 2^s lanes or not), not V lane multiplexers of V inputs.
  always_comb begin
    for (int l = 0; l < V; l++) vec_mask[l] = 32'(l) - off < lanes;  // below off the difference wraps past any count
  end
  if (V > 1) begin : gen_rot
    always_comb begin
      vec_rot = vec;
      for (int s = 0; s < LogV; s++) begin
        if (off[s]) vec_rot = (vec_rot << ((1 << s) * 32)) | (vec_rot >> ((V - (1 << s)) * 32));
      end
    end
  end else begin : gen_no_rot
    assign vec_rot = vec;
  end
  assign lanes = vector ? ((n_out_i - count_q < 32'(V) - off) ? n_out_i - count_q : 32'(V) - off) : 32'd1;

  always_comb begin
    count_d = count_q;
    if (decode_i)     count_d = '0;
    if (result_valid) count_d = count_q + lanes;
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) count_q <= '0;
    else         count_q <= count_d;
  end

  assign results_done_o = count_q == n_out_i;
  assign op_done_o      = (op_output_i || to_host_i) ? output_done_i : op_scores_i ? scores_done_i : results_done_o;

  assign scratch_we_o   = result_valid && !op_pack_i;
  assign addr           = dst_i + count_q;
  assign scratch_word_o = addr >> LogV;
  assign scratch_mask_o = vector ? vec_mask : V'(1) << (addr & 32'(V - 1));
  assign scratch_data_o = vector ? vec_rot : {V{result}};
  assign kv_we_o        = result_valid && op_copy_kv_i;
  assign kv_addr_o      = dst_i + count_q;
  assign q_we_o         = result_valid && op_pack_q_i;
  assign q_addr_o       = count_q;
  assign result_valid_o = result_valid;
  assign result_index_o = count_q;
  assign result_lanes_o = LanesW'(lanes);
  assign result_o       = vector ? vec : (V*32)'(result);

endmodule
