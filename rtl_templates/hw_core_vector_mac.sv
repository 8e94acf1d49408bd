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
// VEC_OUT = 1: instead of the serializer, the group's LANES sums are requantized together (LANES hw_requant with the
// instruction's one parameter word param_i, saturated to out_bits_i: numerics §3) and leave as one beat
// (pv_vec_valid_o, pv_vec_o) 3 cycles after the group's last word; groups follow each other without a gap
// (pv_busy_o stays low).
module hw_core_vector_mac #(
  parameter int unsigned LANES     = 8,
  parameter int unsigned HEAD_SIZE = 8,
  parameter int unsigned MAC_ACC_W = 40,
  parameter int unsigned VEC_OUT   = 0     // 1: PV results requantized LANES per beat (no serializer)
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
  // PV, VEC_OUT = 0
  output logic                        pv_valid_o,
  output logic signed [MAC_ACC_W-1:0] pv_acc_o,
  // PV, VEC_OUT = 1
  input  logic [39:0]                 param_i,
  input  logic [5:0]                  out_bits_i,
  output logic                        pv_vec_valid_o,
  output logic [LANES*32-1:0]         pv_vec_o
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

  logic group_done;
  assign group_done = word_valid_q && pv_i && word_last_q;

  if (VEC_OUT != 0) begin : gen_vec_out
    // The sums of the group's last word go straight into LANES requantizers.
    logic [LANES-1:0]    lane_valid, lane_ready_unused;
    logic [LANES*32-1:0] y;
    for (genvar l = 0; l < LANES; l++) begin : gen_lane
      hw_requant #(.ACC_W(MAC_ACC_W), .OUT_W(32)) u_requant (
        .clk_i, .rst_ni,
        .in_valid_i(group_done), .in_ready_o(lane_ready_unused[l]), .acc_i(pv_acc_d[l*MAC_ACC_W +: MAC_ACC_W]),
        .mult_i(param_i[30:0]), .rshift_i(param_i[36:31]),
        .out_valid_o(lane_valid[l]), .out_ready_i(1'b1), .y_o(y[l*32 +: 32]));
      assign pv_vec_o[l*32 +: 32] = hw_core_pkg::sat_to({y[l*32 + 31], y[l*32 +: 32]}, out_bits_i);
    end
    assign pv_vec_valid_o = lane_valid[0];
    assign pv_busy_o      = 1'b0;
    assign pv_valid_o     = 1'b0;
    assign pv_acc_o       = '0;
    logic unused_vec;
    assign unused_vec = ^{lane_valid, lane_ready_unused, param_i[39:37], group_start_i, setup_i};
  end else begin : gen_serializer
    // Serializer: the LANES sums of one head word, one per cycle, skipping lanes past the head.
    logic                       ser_valid_q, ser_valid_d, ser_end, busy_q, busy_d;
    logic [LANES*MAC_ACC_W-1:0] ser_q, ser_d;
    logic [LaneW-1:0]           ser_lane_q, ser_lane_d;
    logic [HsW-1:0]             ser_elem_q, ser_elem_d;
    assign ser_end = ser_valid_q && (ser_lane_q == LaneW'(LANES - 1) || ser_elem_q == HsW'(HEAD_SIZE - 1));

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
        ser_valid_q <= 1'b0;
        busy_q      <= 1'b0;
      end else begin
        ser_valid_q <= ser_valid_d;
        busy_q      <= busy_d;
      end
    end
    always_ff @(posedge clk_i) begin
      ser_q      <= ser_d;
      ser_lane_q <= ser_lane_d;
      ser_elem_q <= ser_elem_d;
    end
    assign pv_busy_o      = busy_q;
    assign pv_valid_o     = ser_valid_q;
    assign pv_acc_o       = ser_q[ser_lane_q*MAC_ACC_W +: MAC_ACC_W];
    assign pv_vec_valid_o = 1'b0;
    assign pv_vec_o       = '0;
    logic unused_ser;
    assign unused_ser = ^{param_i, out_bits_i};
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) word_valid_q <= 1'b0;
    else         word_valid_q <= read_valid_i && (scores_i || pv_i);
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
  end

  assign dot_valid_o = word_valid_q && scores_i;
  assign dot_first_o = word_first_q;
  assign dot_last_o  = word_last_q;
  assign dot_o       = dot_sum;
endmodule
