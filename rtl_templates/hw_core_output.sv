// hw_core_output — OUTPUT: streams the logits to the host and then the argmax token (lowest index wins ties).
//
// V = 1: while OUTPUT runs (exec_i && output_i) each element of the stream is one logit: it is offered on out_*_o
// and popped when the host takes it (elem_ready_o = host ready, until the token). Throughput: one logit per cycle.
// V > 1: words of V logits (word_valid_i) enter an 8-word FIFO: scratchpad words from the reader (OUTPUT, word mode),
// or the classifier's result words as they are written (a MATVEC with to_host, where output_i is high as well). The
// producer may start a word only while word_credit_o is high: the FIFO has room for it and the words_in_flight_i
// already started (the reader: the read issued last cycle; the matrix requantizer: up to its 3 pipeline stages).
// Each beat to the host carries V logits (out_lanes_o of them valid, the lanes past VOCAB zero): ceil(VOCAB / V)
// beats per step.
// Either way, after VOCAB logits the next beat is the argmax token id (in the low 32 bits, out_lanes_o = 1) with
// out_last_o; done_o marks the cycle the host takes it. The running argmax compares each beat's largest logit (the
// lowest lane among equals, found by a log2(V)-level compare tree) with the best so far, a later beat winning only when
// strictly greater.
module hw_core_output #(
  parameter int unsigned VOCAB = 100,
  parameter int unsigned V     = 1     // logits per host beat (scratchpad elements per word), a power of two
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  logic              decode_i,
  input  logic              setup_i,
  input  logic              exec_i,
  input  logic              output_i,          // this instruction streams logits to the host (OUTPUT, to_host MATVEC)
  // V = 1: the element stream
  input  logic              elem_valid_i,
  output logic              elem_ready_o,
  input  logic [31:0]       elem_i,
  // V > 1: scratchpad words from the reader
  input  logic              word_valid_i,
  input  logic [2:0]        words_in_flight_i, // words started and not yet at word_valid_i (0..4)
  input  logic [V*32-1:0]   word_i,
  output logic              word_credit_o,
  // host
  output logic              out_valid_o,
  input  logic              out_ready_i,
  output logic [V*32-1:0]   out_data_o,
  output logic [LanesW-1:0] out_lanes_o,
  output logic              out_last_o,
  output logic              done_o
);
  localparam int unsigned LanesW = $clog2(V + 1);
  localparam int unsigned LaneW  = (V > 1) ? $clog2(V) : 1;
  if (V < 1 || (V & (V - 1)) != 0) begin : gen_check_v
    $error("hw_core_output: V must be a power of two");
  end

  logic               token_q, token_d, pop, fire, have, last_beat;
  logic signed [31:0] best_q, best_d, beat_best;
  logic [31:0]        best_index_q, best_index_d, count_q, count_d, beat_index, lanes;
  logic [V*32-1:0]    beat;

  // The beat on offer: one logit (V = 1) or the FIFO's head word.
  if (V > 1) begin : gen_words
    localparam int unsigned Depth = 8;
    logic [3:0] fifo_count;
    logic       fifo_in_ready_unused;
    hw_fifo #(.WIDTH(V*32), .DEPTH(Depth)) u_words (
      .clk_i, .rst_ni,
      .in_valid_i(word_valid_i && output_i), .in_ready_o(fifo_in_ready_unused), .in_data_i(word_i),
      .out_valid_o(have), .out_ready_i(pop), .out_data_o(beat), .count_o(fifo_count));
    assign word_credit_o = 32'(fifo_count) + 32'(words_in_flight_i) < 32'(Depth - 1);
    assign elem_ready_o  = 1'b0;
    logic unused;
    assign unused = ^{fifo_in_ready_unused, elem_valid_i, elem_i};
  end else begin : gen_elements
    assign have          = elem_valid_i;
    assign beat          = elem_i;
    assign elem_ready_o  = !token_q && out_ready_i;
    assign word_credit_o = 1'b0;
    logic unused;
    assign unused = ^{word_valid_i, words_in_flight_i, word_i};
  end

  assign lanes     = (32'(VOCAB) - count_q < 32'(V)) ? 32'(VOCAB) - count_q : 32'(V);
  assign last_beat = count_q + lanes == 32'(VOCAB);
  assign pop       = output_i && have && !token_q && out_ready_i;

  // The beat's largest valid logit, the lowest lane among equals: a balanced tree of log2(V) compare levels (at
  // stride s, node i keeps the larger of itself and node i + s, itself on a tie). Lanes past the last logit enter as
  // the most negative value: valid lanes are a prefix, so such a lane can only tie with a valid lane of lower index,
  // which wins.
  logic [V*32-1:0]     tree_val;
  logic [V*LaneW-1:0]  tree_lane;
  always_comb begin
    for (int l = 0; l < V; l++) begin
      tree_val[l*32 +: 32]       = (32'(l) < lanes) ? beat[l*32 +: 32] : 32'h8000_0000;
      tree_lane[l*LaneW +: LaneW] = LaneW'(l);
    end
    for (int st = 1; st < V; st = st * 2) begin
      for (int i = 0; i + st < V; i = i + 2 * st) begin
        if ($signed(tree_val[(i+st)*32 +: 32]) > $signed(tree_val[i*32 +: 32])) begin
          tree_val[i*32 +: 32]        = tree_val[(i+st)*32 +: 32];
          tree_lane[i*LaneW +: LaneW] = tree_lane[(i+st)*LaneW +: LaneW];
        end
      end
    end
    beat_best  = $signed(tree_val[31:0]);
    beat_index = count_q + 32'(tree_lane[LaneW-1:0]);
  end

  always_comb begin
    out_data_o = '0;
    if (token_q) begin
      out_data_o[31:0] = best_index_q;
    end else begin
      for (int l = 0; l < V; l++) out_data_o[l*32 +: 32] = (32'(l) < lanes) ? beat[l*32 +: 32] : 32'd0;
    end
  end
  assign out_valid_o = exec_i && output_i && (token_q || have);
  assign out_lanes_o = token_q ? LanesW'(1) : LanesW'(lanes);
  assign out_last_o  = token_q;
  assign fire        = out_valid_o && out_ready_i;
  assign done_o      = fire && token_q;

  always_comb begin
    token_d      = token_q;
    count_d      = count_q;
    best_d       = best_q;
    best_index_d = best_index_q;
    if (decode_i) token_d = 1'b0;
    if (exec_i && pop && last_beat) token_d = 1'b1;
    if (setup_i) count_d = '0;
    if (pop) begin
      count_d = count_q + lanes;
      if (count_q == '0 || beat_best > best_q) begin
        best_d       = beat_best;
        best_index_d = beat_index;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) token_q <= 1'b0;
    else         token_q <= token_d;
  end
  always_ff @(posedge clk_i) begin
    count_q      <= count_d;
    best_q       <= best_d;
    best_index_q <= best_index_d;
  end
endmodule
