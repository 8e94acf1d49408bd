// hw_core_matvec_requant — MATVEC's output side where the scratchpad has V = C lanes per word: each C-wide result
// beat of the matrix engine is requantized whole, V channels per cycle, and handed to the writeback as one word.
//
// Beat b of the running MATVEC holds channels b*V .. b*V + V - 1. Its parameters are word rq_base_i + b of the vector
// requant ROM (lane l = channel b*V + l: {out_bits[45:40], 3'b0, rshift[36:31], mult[30:0]} in LANE_W bits). Each
// lane (hw_core_requant_lane) has its own hw_requant; results are saturated to the channel's out_bits (numerics §3, as
// hw_core_requant_feeder does for one value), so a MATVEC of stacked matrices may write sites of two widths (q and
// k at 16 bits, v at 8: one MATVEC). A beat is taken every cycle
// (beat_ready_o is high: the pipeline never stalls and the writeback always accepts); valid_o pulses with the V
// results 3 cycles later (ROM read, hw_requant's two stages). The writeback counts the lanes that are outputs.
module hw_core_matvec_requant #(
  parameter int unsigned V         = 8,     // lanes (= the engine's C)
  parameter int unsigned ACC_W     = 32,    // matrix accumulators
  parameter int unsigned RQV_DEPTH = 64,
  parameter int unsigned LANE_W    = 48,    // ROM bits per channel
  parameter              RQV_FILE  = "mem/requant_vec.hex"
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  input  logic                setup_i,     // an instruction starts: beat count to 0
  input  logic [31:0]         rq_base_i,
  input  logic                beat_valid_i,
  output logic                beat_ready_o,
  input  logic [V*ACC_W-1:0]  beat_i,
  output logic                valid_o,
  output logic [V*32-1:0]     results_o
);
  localparam int unsigned AddrW = (RQV_DEPTH > 1) ? $clog2(RQV_DEPTH) : 1;
  if (V < 2 || (V & (V - 1)) != 0 || ACC_W < 2 || ACC_W > 64 || LANE_W < 46) begin : gen_check_params
    $error("hw_core_matvec_requant: V must be a power of two >= 2, ACC_W in 2..64 and LANE_W >= 46");
  end

  logic [31:0]        beats_q, beats_d;
  logic               valid_q;
  logic [V*ACC_W-1:0] beat_q;
  logic [V*LANE_W-1:0] params;
  logic [V-1:0]       lane_valid;

  always_comb begin
    beats_d = beats_q;
    if (setup_i) beats_d = '0;
    if (beat_valid_i) beats_d = beats_d + 32'd1;
  end

  hw_sram #(.WIDTH(V*LANE_W), .DEPTH(RQV_DEPTH), .INIT_FILE(RQV_FILE)) u_params (
    .clk_i, .we_i(1'b0), .waddr_i('0), .wdata_i('0), .wbe_i('0),
    .re_i(beat_valid_i), .raddr_i(AddrW'(rq_base_i + beats_q)), .rdata_o(params));

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_q <= 1'b0;
      beats_q <= '0;
    end else begin
      valid_q <= beat_valid_i;
      beats_q <= beats_d;
    end
  end
  always_ff @(posedge clk_i) begin
    if (beat_valid_i) beat_q <= beat_i;
  end

  // One hw_core_requant_lane per lane: its requantizer, saturation and width pipeline.
  for (genvar l = 0; l < V; l++) begin : gen_lane
    hw_core_requant_lane #(.ACC_W(ACC_W)) u_lane (
      .clk_i, .rst_ni, .valid_i(valid_q), .acc_i(beat_q[l*ACC_W +: ACC_W]), .param_i(params[l*LANE_W +: 46]),
      .valid_o(lane_valid[l]), .result_o(results_o[l*32 +: 32]));
  end
  assign valid_o      = lane_valid[0];
  assign beat_ready_o = 1'b1;

  logic unused;
  assign unused = ^{lane_valid[V-1:1], params, rq_base_i[31:AddrW]};
endmodule
