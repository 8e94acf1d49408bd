// hw_core_lane_packer — COPYKV and PACKQ: packs 16-bit values LANES per word, a head starting a new word, for the KV
// cache or the q buffer.
//
// Element mode (WORDS = 0): each pop while the op runs adds one value to the word being filled; write_o marks the
// cycle a word is complete (LANES values, or the head's last element), with word_o its data (lanes above the last
// value zero). Throughput: one element per cycle; a word every LANES elements or at the end of each head.
// Word mode (WORDS = 1; heads aligned to scratchpad words: HEAD_SIZE a multiple of V, where LANES = V, or V a
// multiple of HEAD_SIZE, where LANES = HEAD_SIZE, or LANES = HEAD_SIZE a multiple of V): the reader delivers whole
// scratchpad words of V elements (word_valid_i). Where LANES <= V each holds K = V / LANES packed words, which leave
// one per cycle from the cycle after the word (write_o, word_o: lanes k*LANES .. k*LANES + LANES - 1, the low 16 bits
// of each); where LANES > V a packed word gathers M = LANES / V scratchpad words and leaves the cycle after its last.
// No packed word past the instruction's n_out_i is written (a last scratchpad word may hold fewer heads).
// word_credit_o: the reader may issue another word this cycle (its data arrives next cycle, when the packer has room
// for it). Throughput: LANES values per cycle where LANES <= V, else a scratchpad word per cycle.
module hw_core_lane_packer #(
  parameter int unsigned LANES     = 8,
  parameter int unsigned HEAD_SIZE = 8,
  parameter int unsigned V         = 1,   // scratchpad elements per word
  parameter int unsigned WORDS     = 0    // 1: word mode
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  input  logic                setup_i,
  input  logic                pack_i,
  // element mode
  input  logic                elem_pop_i,
  input  logic [15:0]         elem_i,
  // word mode
  input  logic                word_valid_i,
  input  logic [V*32-1:0]     word_i,
  input  logic [31:0]         n_out_i,
  output logic                word_credit_o,
  // packed words
  output logic                write_o,
  output logic [LANES*16-1:0] word_o
);
  localparam int unsigned LaneW = (LANES > 1) ? $clog2(LANES) : 1;
  localparam int unsigned HsW   = $clog2(HEAD_SIZE + 1);

  if (WORDS != 0 && LANES <= V) begin : gen_words
    localparam int unsigned K  = V / LANES;                 // packed words per scratchpad word
    localparam int unsigned KW = $clog2(K + 1);
    if (V % LANES != 0 || !((HEAD_SIZE % V == 0 && LANES == V) || (V % HEAD_SIZE == 0 && LANES == HEAD_SIZE)))
    begin : gen_check_words
      $error("hw_core_lane_packer: word mode needs LANES = V with HEAD_SIZE a multiple of V, or LANES = HEAD_SIZE dividing V, or LANES = HEAD_SIZE a multiple of V");
    end
    logic [V*16-1:0] buf_q, buf_d;
    logic [KW-1:0]   rem_q, rem_d;
    logic [31:0]     written_q, written_d;
    logic            emit;
    assign emit = rem_q != '0;
    always_comb begin
      for (int l = 0; l < V; l++) buf_d[l*16 +: 16] = word_i[l*32 +: 16];
    end
    always_comb begin
      rem_d     = rem_q;
      written_d = written_q;
      if (emit) begin
        rem_d = rem_q - KW'(1);
        if (write_o) written_d = written_q + 32'd1;
      end
      if (word_valid_i && pack_i) rem_d = KW'(K);
      if (setup_i) begin
        rem_d     = '0;
        written_d = '0;
      end
    end
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        rem_q     <= '0;
        written_q <= '0;
      end else begin
        rem_q     <= rem_d;
        written_q <= written_d;
      end
    end
    // The packed word on offer is always the buffer's lowest LANES lanes: each emitted word shifts the buffer down by
    // LANES lanes (fixed wiring, no lane multiplexer), and a word arriving replaces the whole buffer.
    if (K > 1) begin : gen_shift
      always_ff @(posedge clk_i) begin
        if (word_valid_i && pack_i) buf_q <= buf_d;
        else if (emit) buf_q <= {{(LANES*16){1'b0}}, buf_q[V*16-1:LANES*16]};
      end
    end else begin : gen_hold
      always_ff @(posedge clk_i) begin
        if (word_valid_i && pack_i) buf_q <= buf_d;
      end
    end
    // The buffer is free for a word arriving next cycle if at most its last packed word is left then.
    assign word_credit_o = (K == 1) || (!(word_valid_i && pack_i) && rem_q <= KW'(2));
    assign write_o       = emit && written_q < n_out_i;
    assign word_o        = buf_q[LANES*16-1:0];
    logic unused_elem;
    assign unused_elem = ^{elem_pop_i, elem_i};
  end else if (WORDS != 0) begin : gen_gather
    // LANES > V: each packed word gathers M = LANES / V scratchpad words, written the cycle after its last.
    localparam int unsigned M  = LANES / V;
    localparam int unsigned MW = $clog2(M);
    if (LANES % V != 0 || HEAD_SIZE != LANES) begin : gen_check_gather
      $error("hw_core_lane_packer: word mode needs LANES = V with HEAD_SIZE a multiple of V, or LANES = HEAD_SIZE dividing V, or LANES = HEAD_SIZE a multiple of V");
    end
    logic [LANES*16-1:0] buf_q;
    logic [MW-1:0]       sub_q;
    logic                emit_q;
    logic [31:0]         written_q;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        sub_q     <= '0;
        emit_q    <= 1'b0;
        written_q <= '0;
      end else if (setup_i) begin
        sub_q     <= '0;
        emit_q    <= 1'b0;
        written_q <= '0;
      end else begin
        emit_q <= word_valid_i && pack_i && 32'(sub_q) == M - 1;
        if (word_valid_i && pack_i) sub_q <= (32'(sub_q) == M - 1) ? '0 : sub_q + MW'(1);
        if (write_o) written_q <= written_q + 32'd1;
      end
    end
    // A shift register of scratchpad words: each arriving word enters at the top and the earlier ones move down by V
    // lanes, so after the M-th the first sits in lanes 0 .. V-1 (fixed wiring, no lane decoder on the wide buffer).
    logic [V*16-1:0] in16;
    always_comb begin
      for (int l = 0; l < V; l++) in16[l*16 +: 16] = word_i[l*32 +: 16];
    end
    // One register (hw_flop_en) per scratchpad word of the packed word, each loading the one above it (the top: the
    // new word).
    for (genvar m = 0; m < M; m++) begin : gen_slot
      if (m == M - 1) begin : gen_top
        hw_flop_en #(.WIDTH(V*16)) u_slot (
          .clk_i, .en_i(word_valid_i && pack_i), .d_i(in16), .q_o(buf_q[m*V*16 +: V*16]));
      end else begin : gen_below
        hw_flop_en #(.WIDTH(V*16)) u_slot (
          .clk_i, .en_i(word_valid_i && pack_i), .d_i(buf_q[(m + 1)*V*16 +: V*16]), .q_o(buf_q[m*V*16 +: V*16]));
      end
    end
    assign write_o       = emit_q && written_q < n_out_i;
    assign word_o        = buf_q;
    assign word_credit_o = 1'b1;
    logic unused_gather;
    assign unused_gather = ^{elem_pop_i, elem_i};
  end else begin : gen_elements
    logic                push;
    logic [LaneW-1:0]    lane_q, lane_d;
    logic [HsW-1:0]      elem_q, elem_d;
    logic [LANES*16-1:0] word_q, word_d;
    assign push    = elem_pop_i && pack_i;
    assign write_o = push && (lane_q == LaneW'(LANES - 1) || elem_q == HsW'(HEAD_SIZE - 1));

    always_comb begin
      word_d = (lane_q == '0) ? '0 : word_q;
      word_d[lane_q*16 +: 16] = elem_i;
    end

    always_comb begin
      lane_d = lane_q;
      elem_d = elem_q;
      if (setup_i) begin
        lane_d = '0;
        elem_d = '0;
      end
      if (push) begin
        elem_d = (elem_q == HsW'(HEAD_SIZE - 1)) ? '0 : elem_q + HsW'(1);
        lane_d = write_o ? '0 : lane_q + LaneW'(1);
      end
    end

    always_ff @(posedge clk_i) begin
      if (push) word_q <= word_d;
      lane_q <= lane_d;
      elem_q <= elem_d;
    end

    assign word_o        = word_d;
    assign word_credit_o = 1'b1;
    logic unused_words;
    assign unused_words = ^{rst_ni, word_valid_i, word_i, n_out_i};
  end
endmodule
