// hw_rope — rotary position embedding of a stream of heads (docs/numerics.md §7, bit-exact):
//
//   for each interleaved pair (x0, x1) = (v[2j'], v[2j'+1]), j = j' mod (HEAD_SIZE/2), c/s = table[pos][j] (Q1.14):
//   y0 = sat_W((x0*c - x1*s + 2^13) >> 14);  y1 = sat_W((x0*s + x1*c + 2^13) >> 14)
//
// Elements arrive in vector order (any whole number of heads; in_last_i marks the vector's last element or word)
// with the position pos_i, which must be stable for a whole vector. Tables: SEQ_LEN words of HEAD_SIZE/2 x 16 bits,
// word pos holding pair j at bits [16j +: 16] (generated images); the unit reads the row of pos_i.
//   LANES = 1: one element per beat. An even element is held while the row is read; the odd one completes the pair
//     and both results enter a 4-entry output queue, which keeps the stream at one element per cycle.
//   LANES > 1 (even): a word of LANES consecutive elements per beat, every cycle (in_ready_o is high and the
//     consumer must take every result: out_ready_i high). Word w of a vector starts at element offset
//     (w * LANES) mod HEAD_SIZE within its head, so any HEAD_SIZE works (a word may hold parts of several heads):
//     lane pair p takes table pair ((offset + 2p) mod HEAD_SIZE) / 2. Results 2 cycles after the word (row read,
//     then the rotation registered), one word per cycle.
// Every rotation (with its table pair's selection) is an hw_rope_pair: synthesis maps one and counts it.
module hw_rope #(
  parameter int unsigned HEAD_SIZE = 8,           // even
  parameter int unsigned SEQ_LEN   = 64,
  parameter int unsigned W         = 16,          // element width (signed), 2..16
  parameter int unsigned LANES     = 1,           // elements per beat: 1, or even
  parameter              COS_FILE  = "rope_cos.hex",
  parameter              SIN_FILE  = "rope_sin.hex"
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,
  input  logic                      in_valid_i,
  output logic                      in_ready_o,
  input  logic [LANES*W-1:0]        x_i,          // lane l (signed) at bits [l*W +: W]
  input  logic                      in_last_i,
  input  logic [PosW-1:0]           pos_i,
  output logic                      out_valid_o,
  input  logic                      out_ready_i,
  output logic [LANES*W-1:0]        y_o,
  output logic                      out_last_o
);
  localparam int unsigned Pairs = HEAD_SIZE / 2;
  localparam int unsigned PosW  = (SEQ_LEN > 1) ? $clog2(SEQ_LEN) : 1;
  localparam int unsigned PairW = (Pairs > 1) ? $clog2(Pairs) : 1;
  localparam int unsigned OffW  = $clog2(HEAD_SIZE + 1);

  if (HEAD_SIZE < 2 || HEAD_SIZE % 2 != 0 || SEQ_LEN < 1 || W < 2 || W > 16 ||
      (LANES != 1 && (LANES < 2 || LANES % 2 != 0))) begin : gen_check
    $error("hw_rope: HEAD_SIZE must be even and >= 2, SEQ_LEN >= 1, W in 2..16, LANES 1 or even");
  end

  // ---- tables: the row of pos_i --------------------------------------------------------------------------------
  logic                 tab_re;
  logic [Pairs*16-1:0]  cos_row, sin_row;
  hw_sram #(.WIDTH(Pairs*16), .DEPTH(SEQ_LEN), .INIT_FILE(COS_FILE)) u_cos (
    .clk_i, .we_i(1'b0), .waddr_i('0), .wdata_i('0), .wbe_i('0), .re_i(tab_re), .raddr_i(pos_i), .rdata_o(cos_row));
  hw_sram #(.WIDTH(Pairs*16), .DEPTH(SEQ_LEN), .INIT_FILE(SIN_FILE)) u_sin (
    .clk_i, .we_i(1'b0), .waddr_i('0), .wdata_i('0), .wbe_i('0), .re_i(tab_re), .raddr_i(pos_i), .rdata_o(sin_row));

  if (LANES == 1) begin : gen_elements
    // ---- pairing ------------------------------------------------------------------------------------------------
    logic                odd_q;        // the next element is the second of a pair
    logic [PairW-1:0]    pair_q;       // pair index within the head
    logic [W-1:0]        x0_q, x1;
    logic [2:0]          count_q;      // output queue occupancy (0..4)
    logic                in_fire, pair_fire;
    assign x1 = x_i[W-1:0];

    // An even element needs no queue space; an odd one pushes two results.
    assign in_ready_o = !odd_q || (count_q <= 3'd2);
    assign in_fire    = in_valid_i && in_ready_o;
    assign pair_fire  = in_fire && odd_q;
    assign tab_re     = in_fire && !odd_q;

    logic [W-1:0] y0, y1;
    hw_rope_pair #(.PAIRS(Pairs), .W(W)) u_pair (
      .cos_row_i(cos_row), .sin_row_i(sin_row), .j_i(pair_q), .x0_i(x0_q), .x1_i(x1), .y0_o(y0), .y1_o(y1));

    // ---- output queue (4 entries, in order) ---------------------------------------------------------------------
    logic [4*W-1:0] q_data;
    logic [3:0]     q_last;
    logic           out_fire;
    assign out_valid_o = count_q != 3'd0;
    assign y_o         = q_data[W-1:0];
    assign out_last_o  = q_last[0];
    assign out_fire    = out_valid_o && out_ready_i;

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        odd_q   <= 1'b0;
        pair_q  <= '0;
        count_q <= '0;
      end else begin
        if (in_fire) begin
          odd_q <= !odd_q;
          if (odd_q) pair_q <= (pair_q == PairW'(Pairs - 1) || in_last_i) ? '0 : pair_q + PairW'(1);
        end
        count_q <= count_q - (out_fire ? 3'd1 : 3'd0) + (pair_fire ? 3'd2 : 3'd0);
      end
    end

    // Queue next state: pop from the front, then append the pair behind what remains.
    logic [4*W-1:0] q_data_d;
    logic [3:0]     q_last_d;
    logic [1:0]     slot0, slot1;  // where the pair goes: a pair is accepted only with <= 2 entries left after a pop
    assign slot0 = 2'(count_q - (out_fire ? 3'd1 : 3'd0));
    assign slot1 = slot0 + 2'd1;
    always_comb begin
      q_data_d = q_data;
      q_last_d = q_last;
      if (out_fire) begin
        q_data_d = {W'(0), q_data_d[4*W-1:W]};
        q_last_d = {1'b0, q_last_d[3:1]};
      end
      if (pair_fire) begin
        q_data_d[slot0*W +: W] = y0;
        q_last_d[slot0]        = 1'b0;
        q_data_d[slot1*W +: W] = y1;
        q_last_d[slot1]        = in_last_i;
      end
    end

    always_ff @(posedge clk_i) begin
      if (in_fire && !odd_q) x0_q <= x1;
      q_data <= q_data_d;
      q_last <= q_last_d;
    end
  end else begin : gen_words
    // ---- word mode: stage 1 the row read (word and its head offset registered), stage 2 the rotation ----------
    localparam int unsigned Step = LANES % HEAD_SIZE;  // offset advance per word
    logic               valid_q, last_q, out_valid_q, out_last_q;
    logic [OffW-1:0]    off_q, off_d, word_off_q;
    logic [LANES*W-1:0] x_q, y_d, y_q;
    assign in_ready_o = 1'b1;
    assign tab_re     = in_valid_i;

    always_comb begin
      off_d = off_q;
      if (in_valid_i) begin
        if (in_last_i)                                  off_d = '0;
        else if (32'(off_q) + 32'(Step) >= HEAD_SIZE)   off_d = OffW'(32'(off_q) + 32'(Step) - HEAD_SIZE);
        else                                            off_d = OffW'(32'(off_q) + 32'(Step));
      end
    end

    for (genvar p = 0; p < LANES / 2; p++) begin : gen_pair
      localparam int unsigned Lane = (2 * p) % HEAD_SIZE;  // the pair's offset from the word's first element
      logic [OffW-1:0]     idx;   // element index of the pair's first element within its head
      logic [PairW-1:0]    j;
      assign idx = (32'(word_off_q) + 32'(Lane) >= HEAD_SIZE) ? OffW'(32'(word_off_q) + 32'(Lane) - HEAD_SIZE)
                                                               : OffW'(32'(word_off_q) + 32'(Lane));
      assign j = PairW'(idx >> 1);
      hw_rope_pair #(.PAIRS(Pairs), .W(W)) u_pair (
        .cos_row_i(cos_row), .sin_row_i(sin_row), .j_i(j), .x0_i(x_q[(2*p)*W +: W]), .x1_i(x_q[(2*p+1)*W +: W]),
        .y0_o(y_d[(2*p)*W +: W]), .y1_o(y_d[(2*p+1)*W +: W]));
      logic unused_idx;
      assign unused_idx = idx[0];
    end

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        valid_q     <= 1'b0;
        out_valid_q <= 1'b0;
        off_q       <= '0;
      end else begin
        valid_q     <= in_valid_i;
        out_valid_q <= valid_q;
        off_q       <= off_d;
      end
    end
    always_ff @(posedge clk_i) begin
      if (in_valid_i) begin
        x_q        <= x_i;
        last_q     <= in_last_i;
        word_off_q <= off_q;
      end
      if (valid_q) begin
        y_q        <= y_d;
        out_last_q <= last_q;
      end
    end
    assign out_valid_o = out_valid_q;
    assign out_last_o  = out_last_q;
    assign y_o         = y_q;

`ifndef SYNTHESIS
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        // in reset: nothing to check
      end else if (out_valid_q && !out_ready_i) begin
        $error("hw_rope: a result word was not taken (LANES > 1 needs out_ready_i high)");
      end
    end
`endif
  end
endmodule
