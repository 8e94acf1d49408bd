// hw_core_reader — hw_core's element reader: the address generator of one instruction's two operand streams and
// the FIFO that hands scalar element pairs to the units.
//
// From start_i it walks n_outer x n_inner elements: element (o, i) of source A is at a_base + o*a_stride_outer +
// i*a_stride_inner, of source B likewise (EMBED: B advances one embedding word per C lanes instead, the lane
// selecting the byte). issue_o marks a read of a_addr_o / b_addr_o this cycle; the memories answer one cycle later
// (read_*_o mark that cycle). Scalar ops push the pair {A word, B word or embedding byte} into a 4-entry FIFO,
// popped as the element stream (valid/ready); vector ops (SCORES, PV) take the lane-wide words straight from the
// memories instead. A read is issued only while the FIFO has room for it and the one in flight, so a stalled unit
// loses nothing; a PV read waits for pv_ready_i (the attention unit holds the probabilities it multiplies). Throughput: one element per cycle while the consumer takes
// them. group_start_o marks the issue of an inner loop's first element.
// Word mode (words_i: MATVEC where the matrix engine takes V elements per cycle, NORM, RESADD, EMBED, SWIGLU, OUTPUT):
// sources A and B are read as whole scratchpad words of V elements, ceil(n_inner / V) of them from a_base and b_base
// (multiples of V; EMBED: B walks embedding words, V = C elements each, from the token's row), one per cycle, handed
// straight to the consumer like the vector ops' words (read_*_o), not through the FIFO; a consumer that can stall
// (OUTPUT's host) holds word_credit_i low while it has no room for another word.
// hold_i stops the issue of the next read (hw_core's scoreboard: it would read a result the instruction draining
// before this one has not written yet, or the writeback's queue is full); idle_o: every read issued and every element
// handed on, so the next instruction may take the reader.
module hw_core_reader #(
  parameter int unsigned C = 8,  // embedding lanes per word
  parameter int unsigned V = 1   // scratchpad elements per word (a power of two)
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  logic              setup_i,
  input  logic              start_i,
  input  logic              embed_i,   // EMBED: B walks embedding lanes
  input  logic              pv_i,      // PV: each read waits for pv_ready_i
  input  logic              vector_i,  // SCORES, PV: no FIFO push
  input  logic              words_i,   // word mode (see above)
  input  logic              word_credit_i,  // word mode: the consumer has room for another word (else no issue)
  input  logic [31:0]       a_base_i,
  input  logic [31:0]       a_stride_inner_i,
  input  logic [31:0]       a_stride_outer_i,
  input  logic [31:0]       b_base_i,
  input  logic [31:0]       b_stride_inner_i,
  input  logic [31:0]       b_stride_outer_i,
  input  logic [31:0]       n_inner_i,
  input  logic [31:0]       n_outer_i,
  input  logic              pv_ready_i,
  input  logic              hold_i,
  output logic              idle_o,
  // reads issued this cycle
  output logic              issue_o,
  output logic              group_start_o,
  output logic [31:0]       a_addr_o,
  output logic [31:0]       b_addr_o,
  // the cycle after an issue: read data arrives
  input  logic [31:0]       a_rdata_i,
  input  logic [31:0]       b_rdata_i,
  input  logic [C*8-1:0]    emb_rdata_i,
  output logic              read_valid_o,
  output logic              read_first_o,
  output logic              read_last_o,
  // scalar element stream
  output logic              elem_valid_o,
  input  logic              elem_ready_i,
  output logic              elem_first_o,
  output logic              elem_last_o,
  output logic [31:0]       elem_a_o,
  output logic [31:0]       elem_b_o
);
  localparam int unsigned LaneW = (C > 1) ? $clog2(C) : 1;
  localparam int unsigned ElemW = 2 + 32 + 32;

  logic             active_q, active_d;
  logic [31:0]      inner_q, inner_d, outer_q, outer_d;
  logic [31:0]      a_row_q, a_row_d, a_cur_q, a_cur_d, b_row_q, b_row_d, b_cur_q, b_cur_d;
  logic [LaneW-1:0] emb_lane_q, emb_lane_d;
  logic             read_valid_q, read_first_q, read_first_d, read_last_q, read_last_d;
  logic [LaneW-1:0] read_lane_q, read_lane_d;
  logic [2:0]       fifo_count;
  logic             inner_last, all_last;
  logic [31:0]      b_outer_step, n_inner, a_stride_inner, b_stride_inner;

  // Word mode walks ceil(n_inner / V) words V elements apart.
  assign n_inner        = words_i ? (n_inner_i + 32'(V - 1)) >> $clog2(V) : n_inner_i;
  assign a_stride_inner = words_i ? 32'(V) : a_stride_inner_i;
  assign b_stride_inner = words_i ? (embed_i ? 32'd1 : 32'(V)) : b_stride_inner_i;  // EMBED: embedding words
  assign inner_last   = inner_q == n_inner - 32'd1;
  assign all_last     = inner_last && outer_q == n_outer_i - 32'd1;
  // Issue while the FIFO has room for this read and the one already in flight.
  assign issue_o       = active_q && (32'(fifo_count) + 32'(read_valid_q) < 32'd3) &&
                         !(pv_i && !pv_ready_i) && !(words_i && !word_credit_i) && !hold_i;
  assign group_start_o = issue_o && inner_q == '0;
  assign b_outer_step  = embed_i ? ((emb_lane_q == LaneW'(C - 1)) ? 32'd1 : 32'd0) : b_stride_outer_i;
  assign a_addr_o      = a_cur_q;
  assign b_addr_o      = b_cur_q;

  always_comb begin
    active_d     = active_q;
    inner_d      = inner_q;
    outer_d      = outer_q;
    a_row_d      = a_row_q;
    a_cur_d      = a_cur_q;
    b_row_d      = b_row_q;
    b_cur_d      = b_cur_q;
    emb_lane_d   = emb_lane_q;
    read_first_d = read_first_q;
    read_last_d  = read_last_q;
    read_lane_d  = read_lane_q;
    if (setup_i) begin
      inner_d    = '0;
      outer_d    = '0;
      a_row_d    = a_base_i;
      a_cur_d    = a_base_i;
      b_row_d    = b_base_i;
      b_cur_d    = b_base_i;
      emb_lane_d = '0;
      if (start_i) active_d = 1'b1;
    end else if (issue_o) begin
      if (inner_last) begin
        inner_d = '0;
        outer_d = outer_q + 32'd1;
        a_row_d = a_row_q + a_stride_outer_i;
        a_cur_d = a_row_q + a_stride_outer_i;
        b_row_d = b_row_q + b_outer_step;
        b_cur_d = b_row_q + b_outer_step;
      end else begin
        inner_d = inner_q + 32'd1;
        a_cur_d = a_cur_q + a_stride_inner;
        b_cur_d = b_cur_q + b_stride_inner;
      end
      if (all_last) active_d = 1'b0;
      read_first_d = inner_q == '0;
      read_last_d  = inner_last;
      read_lane_d  = emb_lane_q;
      if (embed_i) emb_lane_d = (emb_lane_q == LaneW'(C - 1)) ? '0 : emb_lane_q + LaneW'(1);
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      active_q     <= 1'b0;
      read_valid_q <= 1'b0;
    end else begin
      active_q     <= active_d;
      read_valid_q <= issue_o;
    end
  end
  always_ff @(posedge clk_i) begin
    inner_q      <= inner_d;
    outer_q      <= outer_d;
    a_row_q      <= a_row_d;
    a_cur_q      <= a_cur_d;
    b_row_q      <= b_row_d;
    b_cur_q      <= b_cur_d;
    emb_lane_q   <= emb_lane_d;
    read_first_q <= read_first_d;
    read_last_q  <= read_last_d;
    read_lane_q  <= read_lane_d;
  end

  // The pair returned by last cycle's reads: B is the embedding byte of the lane (sign-extended) for EMBED.
  logic [31:0]      pair_b;
  logic [ElemW-1:0] fifo_in, fifo_out;
  logic             fifo_in_ready_unused;
  assign pair_b  = embed_i ? {{24{emb_rdata_i[read_lane_q*8 + 7]}}, emb_rdata_i[read_lane_q*8 +: 8]} : b_rdata_i;
  assign fifo_in = {read_first_q, read_last_q, a_rdata_i, pair_b};
  hw_fifo #(.WIDTH(ElemW), .DEPTH(4)) u_fifo (
    .clk_i, .rst_ni,
    .in_valid_i(read_valid_q && !vector_i && !words_i), .in_ready_o(fifo_in_ready_unused), .in_data_i(fifo_in),
    .out_valid_o(elem_valid_o), .out_ready_i(elem_ready_i), .out_data_o(fifo_out), .count_o(fifo_count));
  assign {elem_first_o, elem_last_o, elem_a_o, elem_b_o} = fifo_out;

  // Word and vector reads go straight to their consumer: the last one's data, arriving now, is still this
  // instruction's. Element reads must have left the FIFO.
  assign idle_o       = !active_q && !setup_i && ((words_i || vector_i) || (!read_valid_q && fifo_count == '0));
  assign read_valid_o = read_valid_q;
  assign read_first_o = read_first_q;
  assign read_last_o  = read_last_q;

  logic unused;
  assign unused = fifo_in_ready_unused;
endmodule
