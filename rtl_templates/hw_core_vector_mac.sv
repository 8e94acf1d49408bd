// hw_core_vector_mac — hw_core's LANES-wide multiply-accumulate for attention, with the PV serializer.
//
// Each cycle the reader delivered a q-buffer word, a KV-cache word and a probability (read_valid_i), the unit
// registers them (stage 1), then
//   SCORES: dot_o = sum over lanes of q[l] * K[l] (16-bit lanes), dot_valid_o with the group's first/last marks
//           (one head word per cycle; hw_core_mac sums the words of a head).
//   PV:     LANES accumulators += p * V[l] over an inner loop (t = 0..pos); after its last word the sums go to the
//           serializer, which hands them out one per cycle (pv_valid_o, pv_acc_o), skipping lanes past HEAD_SIZE.
// pv_busy_o is high from the first issue of a PV group until its serializer is done, so the reader starts the next
// group only then (one group in flight). Latency: dot 1 cycle after the read data; PV sums 1 cycle after the last
// word, then one lane per cycle.
module hw_core_vector_mac #(
  parameter int unsigned LANES     = 8,
  parameter int unsigned HEAD_SIZE = 8,
  parameter int unsigned MAC_ACC_W = 40
) (
  input  logic                        clk_i,
  input  logic                        rst_ni,
  input  logic                        setup_i,
  input  logic                        scores_i,
  input  logic                        pv_i,
  input  logic                        group_start_i,  // the reader issued an inner loop's first element
  input  logic                        read_valid_i,
  input  logic                        read_first_i,
  input  logic                        read_last_i,
  input  logic [LANES*16-1:0]         q_word_i,
  input  logic [LANES*16-1:0]         kv_word_i,
  input  logic [8:0]                  p_i,            // probability (uint8 Q0.8 and its carry bit)
  output logic                        pv_busy_o,
  // SCORES
  output logic                        dot_valid_o,
  output logic                        dot_first_o,
  output logic                        dot_last_o,
  output logic signed [MAC_ACC_W-1:0] dot_o,
  // PV
  output logic                        pv_valid_o,
  output logic signed [MAC_ACC_W-1:0] pv_acc_o
);
  localparam int unsigned LaneW = (LANES > 1) ? $clog2(LANES) : 1;
  localparam int unsigned HsW   = $clog2(HEAD_SIZE + 1);
  if (LANES < 1 || LANES > 256) begin : gen_check_lanes
    $error("hw_core_vector_mac: LANES must be in 1..256");
  end

  logic                       word_valid_q, word_first_q, word_last_q;
  logic [LANES*16-1:0]        q_word_q, kv_word_q;
  logic signed [9:0]          p_q;
  logic signed [MAC_ACC_W-1:0] dot_sum;
  logic [LANES*MAC_ACC_W-1:0] pv_acc_q, pv_acc_d;

  always_comb begin
    dot_sum = '0;
    for (int l = 0; l < LANES; l++) begin
      dot_sum = dot_sum + MAC_ACC_W'($signed(q_word_q[l*16 +: 16]) * $signed(kv_word_q[l*16 +: 16]));
    end
    for (int l = 0; l < LANES; l++) begin
      pv_acc_d[l*MAC_ACC_W +: MAC_ACC_W] =
          MAC_ACC_W'(p_q * $signed(kv_word_q[l*16 +: 16])) +
          (word_first_q ? MAC_ACC_W'(0) : pv_acc_q[l*MAC_ACC_W +: MAC_ACC_W]);
    end
  end

  // Serializer: the LANES sums of one head word, one per cycle, skipping lanes past the head.
  logic                       ser_valid_q, ser_valid_d, ser_end, busy_q, busy_d, group_done;
  logic [LANES*MAC_ACC_W-1:0] ser_q, ser_d;
  logic [LaneW-1:0]           ser_lane_q, ser_lane_d;
  logic [HsW-1:0]             ser_elem_q, ser_elem_d;
  assign group_done = word_valid_q && pv_i && word_last_q;
  assign ser_end    = ser_valid_q && (ser_lane_q == LaneW'(LANES - 1) || ser_elem_q == HsW'(HEAD_SIZE - 1));

  always_comb begin
    ser_valid_d = ser_valid_q;
    ser_d       = ser_q;
    ser_lane_d  = ser_lane_q;
    ser_elem_d  = ser_elem_q;
    busy_d      = busy_q;
    if (setup_i) ser_elem_d = '0;
    if (group_done)   ser_valid_d = 1'b1;
    else if (ser_end) ser_valid_d = 1'b0;
    if (group_done) begin
      ser_d      = pv_acc_d;
      ser_lane_d = '0;
    end else if (ser_valid_q) begin
      ser_lane_d = ser_lane_q + LaneW'(1);
      ser_elem_d = ser_elem_q + HsW'(1);
    end
    if (group_start_i && pv_i) busy_d = 1'b1;
    else if (ser_end)          busy_d = 1'b0;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      word_valid_q <= 1'b0;
      ser_valid_q  <= 1'b0;
      busy_q       <= 1'b0;
    end else begin
      word_valid_q <= read_valid_i && (scores_i || pv_i);
      ser_valid_q  <= ser_valid_d;
      busy_q       <= busy_d;
    end
  end
  always_ff @(posedge clk_i) begin
    if (read_valid_i) begin
      q_word_q     <= q_word_i;
      kv_word_q    <= kv_word_i;
      p_q          <= $signed({1'b0, p_i});
      word_first_q <= read_first_i;
      word_last_q  <= read_last_i;
    end
    if (word_valid_q && pv_i) pv_acc_q <= pv_acc_d;
    ser_q      <= ser_d;
    ser_lane_q <= ser_lane_d;
    ser_elem_q <= ser_elem_d;
  end

  assign pv_busy_o   = busy_q;
  assign dot_valid_o = word_valid_q && scores_i;
  assign dot_first_o = word_first_q;
  assign dot_last_o  = word_last_q;
  assign dot_o       = dot_sum;
  assign pv_valid_o  = ser_valid_q;
  assign pv_acc_o    = ser_q[ser_lane_q*MAC_ACC_W +: MAC_ACC_W];
endmodule
