// hw_rmsnorm — RMSNorm of one vector of DIM residual values (docs/numerics.md §6, bit-exact):
//
//   S = eps + sum x^2;  r = isqrt(S);  m = floor(gain * 2^24 / r);  y = sat_OUT_W((x * m + 2^(shift-1)) >> shift)
//
// Elements move LANES per beat: beat b holds elements b*LANES .. in lanes 0.. (lanes past DIM in the last beat are
// ignored on input and 0 on output); NB = ceil(DIM / LANES) beats per vector.
// Phases, one vector at a time: capture (NB beats, valid/ready; S accumulates the squares of a beat's lanes),
// square root (digit by digit, STEPS result bits per cycle: ceil(26 / STEPS) cycles), divide (restoring, STEPS
// quotient bits per cycle: 48 / STEPS cycles), emit (NB beats, valid/ready; every lane scaled). gain_i, shift_i and
// eps_i are sampled with the first beat of a vector and must be valid then. Cost per vector: 2*NB + ceil(26/STEPS) +
// 48/STEPS + 2 cycles (STEPS 4: 2*NB + 21). Two norms run per layer per token, on the step's dependency chain, so
// their fixed latency is worth several steps per cycle: each cycle chains STEPS 52-bit compare-subtracts in the root
// and STEPS 26-bit ones in the divider (the logic depth that synth reports grows with STEPS).
// Each lane's square and scaling is an hw_rmsnorm_lane: synthesis maps one lane and counts it LANES times.
module hw_rmsnorm #(
  parameter int unsigned DIM   = 64,  // vector length (the model's dim)
  parameter int unsigned IN_W  = 16,  // residual width (signed)
  parameter int unsigned OUT_W = 8,   // output width (signed)
  parameter int unsigned LANES = 1,   // elements per beat
  parameter int unsigned STEPS = 4    // root digits and quotient bits per cycle: 1, 2 or 4
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,
  input  logic                    in_valid_i,
  output logic                    in_ready_o,
  input  logic [LANES*IN_W-1:0]   x_i,
  input  logic [23:0]             gain_i,   // < 2^24
  input  logic [5:0]              shift_i,  // 1..62
  input  logic [39:0]             eps_i,    // 1 .. 2^40-1
  output logic                    out_valid_o,
  input  logic                    out_ready_i,
  output logic [LANES*OUT_W-1:0]  y_o,
  output logic                    out_last_o
);
  if (DIM < 1 || DIM > (1 << 20)) begin : gen_check_dim
    $error("hw_rmsnorm: DIM must be in 1..2^20");
  end
  if (IN_W < 2 || IN_W > 16 || OUT_W < 2 || OUT_W > 32 || LANES < 1 || LANES > 256) begin : gen_check_widths
    $error("hw_rmsnorm: IN_W must be in 2..16, OUT_W in 2..32 and LANES in 1..256");
  end
  if (STEPS != 1 && STEPS != 2 && STEPS != 4) begin : gen_check_steps
    $error("hw_rmsnorm: STEPS must be 1, 2 or 4");
  end

  localparam int unsigned NB    = (DIM + LANES - 1) / LANES;  // beats per vector
  localparam int unsigned AddrW = (NB > 1) ? $clog2(NB) : 1;
  localparam int unsigned CntW  = $clog2(NB + 1);
  localparam int unsigned SW    = 52;  // S < 2^40 + 2^20 * 2^30 < 2^51
  localparam int unsigned RW    = 26;  // r = isqrt(S) < 2^25.5
  localparam int unsigned MW    = 48;  // m <= gain * 2^24 < 2^48
  localparam int unsigned SqW   = 2 * IN_W;

  typedef enum logic [2:0] {StCapture, StSqrt, StDivide, StEmit} state_e;
  state_e state_q;

  logic [CntW-1:0] cnt_q;
  logic [SW-1:0]   sum_q;
  logic [23:0]     gain_q;
  logic [5:0]      shift_q;

  // ---- vector buffer -------------------------------------------------------------------------------------------
  logic                  in_fire, rd_issue;
  logic [LANES*IN_W-1:0] buf_rdata;
  hw_sram #(.WIDTH(LANES*IN_W), .DEPTH(NB)) u_buf (
    .clk_i,
    .we_i    (in_fire),
    .waddr_i (AddrW'(cnt_q)),
    .wdata_i (x_i),
    .wbe_i   ('1),
    .re_i    (rd_issue),
    .raddr_i (AddrW'(cnt_q)),
    .rdata_o (buf_rdata));

  // ---- lanes (hw_rmsnorm_lane): each squares its element of the beat arriving and scales its element of the beat
  // read back ------------------------------------------------------------------------------------------------------
  logic                   adv, rd_v_q, rd_last_q, out_valid_q, out_last_q;
  logic [LANES*OUT_W-1:0] y_q, y_d;
  logic [CntW-1:0]        rd_beat_q;  // the beat read last
  logic [LANES*SqW-1:0]   sq;
  logic [MW-1:0]          div_quot_q;
  for (genvar l = 0; l < LANES; l++) begin : gen_lane
    hw_rmsnorm_lane #(.IN_W(IN_W), .OUT_W(OUT_W)) u_lane (
      .x_i    (x_i[l*IN_W +: IN_W]),
      .sq_o   (sq[l*SqW +: SqW]),
      .xb_i   (buf_rdata[l*IN_W +: IN_W]),
      .m_i    (div_quot_q),
      .shift_i(shift_q),
      .zero_i (32'(rd_beat_q) * 32'(LANES) + 32'(l) >= 32'(DIM)),
      .y_o    (y_d[l*OUT_W +: OUT_W]));
  end

  // ---- capture --------------------------------------------------------------------------------------------------
  logic [SW-1:0] sum_d;  // S including this beat (the first beat starts from eps)
  assign in_ready_o = state_q == StCapture;
  assign in_fire    = in_valid_i && in_ready_o;
  always_comb begin
    sum_d = (cnt_q == '0) ? SW'(eps_i) : sum_q;
    for (int l = 0; l < LANES; l++) begin
      if (32'(cnt_q) * 32'(LANES) + 32'(l) < 32'(DIM)) sum_d = sum_d + SW'(sq[l*SqW +: SqW]);
    end
  end

  // ---- square root: digit by digit, two radicand bits per digit, 26 digits from bit 2^50 (golden::isqrt; its
  // skipping of leading zero digit pairs changes nothing: with root 0 and rem < bit a digit only shifts bit) -------
  // STEPS digits per cycle: {rem, root, bit} after them. A digit whose bit has been shifted out is no digit (the last
  // cycle of STEPS 4 has two).
  function automatic logic [3*SW-1:0] sq_steps(input logic [SW-1:0] rem_in, input logic [SW-1:0] root_in,
                                               input logic [SW-1:0] bit_in);
    logic [SW-1:0] rem, root, bit_, try_;
    rem  = rem_in;
    root = root_in;
    bit_ = bit_in;
    for (int i = 0; i < STEPS; i++) begin
      try_ = root + bit_;
      if (bit_ != '0 && rem >= try_) begin
        rem  = rem - try_;
        root = (root >> 1) + bit_;
      end else if (bit_ != '0) begin
        root = root >> 1;
      end
      bit_ = bit_ >> 2;
    end
    sq_steps = {rem, root, bit_};
  endfunction
  logic [SW-1:0] sq_rem_q, sq_bit_q;
  logic [SW-1:0] sq_root_q;  // < 2^26 when done
  logic [SW-1:0] sq_rem_d, sq_root_d, sq_bit_d;  // after this cycle's digits
  assign {sq_rem_d, sq_root_d, sq_bit_d} = sq_steps(sq_rem_q, sq_root_q, sq_bit_q);

  // ---- divide: m = floor(gain * 2^24 / r), restoring, 48 steps, STEPS per cycle ---------------------------------
  // {rem, quotient} after this cycle's STEPS steps, the first of them step `step` (bit MW-1-step of the dividend).
  function automatic logic [RW+MW-1:0] div_steps(input logic [RW-1:0] rem_in, input logic [MW-1:0] quot_in,
                                                 input logic [5:0] step, input logic [RW-1:0] r,
                                                 input logic [MW-1:0] dividend);
    logic [RW-1:0] rem;
    logic [MW-1:0] quot;
    logic [RW:0]   shifted;
    rem  = rem_in;
    quot = quot_in;
    for (int i = 0; i < STEPS; i++) begin
      shifted = {rem, dividend[6'(MW - 1) - step - 6'(i)]};
      quot    = {quot[MW-2:0], shifted >= {1'b0, r}};
      rem     = (shifted >= {1'b0, r}) ? RW'(shifted - {1'b0, r}) : RW'(shifted);
    end
    div_steps = {rem, quot};
  endfunction
  logic [RW-1:0]   div_r_q;
  logic [RW-1:0]   div_rem_q, div_rem_d;  // remainder < r
  logic [MW-1:0]   div_quot_d;
  logic [5:0]      div_step_q;            // the first of this cycle's STEPS steps
  assign {div_rem_d, div_quot_d} = div_steps(div_rem_q, div_quot_q, div_step_q, div_r_q, {gain_q, 24'd0});

  // ---- emit: read x; the lanes scale, round and saturate ------------------------------------------------------
  assign adv      = !out_valid_q || out_ready_i;
  assign rd_issue = state_q == StEmit && adv && cnt_q < CntW'(NB);
  assign out_valid_o = out_valid_q;
  assign y_o         = y_q;
  assign out_last_o  = out_last_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q     <= StCapture;
      cnt_q       <= '0;
      rd_v_q      <= 1'b0;
      out_valid_q <= 1'b0;
    end else begin
      unique case (state_q)
        StCapture: if (in_fire) begin
          if (cnt_q == CntW'(NB - 1)) begin
            cnt_q   <= '0;
            state_q <= StSqrt;
          end else begin
            cnt_q <= cnt_q + CntW'(1);
          end
        end
        StSqrt: if (sq_bit_q == '0) state_q <= StDivide;
        StDivide: if (div_step_q == 6'(MW - STEPS)) state_q <= StEmit;
        StEmit: begin
          if (rd_issue) cnt_q <= cnt_q + CntW'(1);
          if (adv && rd_v_q && rd_last_q) begin
            cnt_q   <= '0;
            state_q <= StCapture;
          end
        end
        default: state_q <= StCapture;
      endcase
      if (adv) begin
        rd_v_q      <= rd_issue;
        out_valid_q <= rd_v_q;
      end
    end
  end

  always_ff @(posedge clk_i) begin
    // Capture: S and the vector's constants.
    if (in_fire) begin
      sum_q <= sum_d;
      if (cnt_q == '0) begin
        gain_q  <= gain_i;
        shift_q <= shift_i;
      end
    end
    // Square root: set up with the full S, then one digit per cycle until the bit is shifted out.
    if (in_fire && cnt_q == CntW'(NB - 1)) begin
      sq_rem_q  <= sum_d;
      sq_root_q <= '0;
      sq_bit_q  <= SW'(1) << (SW - 2);
    end else if (state_q == StSqrt && sq_bit_q != '0) begin
      // 26 digits from 2^50 down to 2^0, STEPS per cycle.
      sq_rem_q  <= sq_rem_d;
      sq_root_q <= sq_root_d;
      sq_bit_q  <= sq_bit_d;
    end
    // Divide setup and steps.
    if (state_q == StSqrt && sq_bit_q == '0) begin
      div_r_q    <= RW'(sq_root_q);
      div_rem_q  <= '0;
      div_quot_q <= '0;
      div_step_q <= '0;
    end else if (state_q == StDivide) begin
      div_rem_q  <= div_rem_d;
      div_quot_q <= div_quot_d;
      div_step_q <= div_step_q + 6'(STEPS);
    end
    // Emit pipeline.
    if (adv) begin
      if (rd_issue) begin
        rd_last_q <= cnt_q == CntW'(NB - 1);
        rd_beat_q <= cnt_q;
      end
      out_last_q <= rd_last_q;
      y_q        <= y_d;
    end
  end
endmodule
