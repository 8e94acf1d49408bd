// hw_softmax — streaming softmax of rows of Q7.8 log2-domain scores into unsigned Q0.8 probabilities
// (docs/numerics.md §9, bit-exact):
//
//   u = max(z) - z;  e = EXP2[u & 255] >> (u >> 8)  (0 when u >> 8 >= 16);  sum = Σ e;  inv = floor(2^46 / sum);
//   p = min(255, (e * inv + 2^37) >> 38)
//
// The spec needs the row maximum before any exp, so a row passes three phases, each on its own row at the same
// time, over NUM_BUF rotating row buffers (1, 2 or 4):
//   A  capture: store z, track the maximum                      (one element per cycle, in_valid/in_ready)
//   B  sum:     re-read z, exp via table + shift, accumulate     (SUM_LANES elements per cycle, never stalls)
//   D  divide:  inv = floor(2^46 / sum), restoring, 2 bits/cycle (24 cycles per row)
//   C  emit:    re-read z, recompute e, normalize                (one element per cycle, out_valid/out_ready)
// With 4 buffers, steady state: one element per cycle within a row and a few bubble cycles between rows; rows
// shorter than the divider's 25 cycles are divider-bound. With one buffer the phases of a row follow each other
// (a row of n: its first probability about n + n / SUM_LANES + 30 cycles after its first score). A row buffer is
// SUM_LANES banks (element t in bank t mod SUM_LANES), each with its own exp2 table for B. idle_o: every buffer is
// free.
//
// Contract: rows of 1..MAX_LEN elements, the last one marked with in_last_i (a row reaching MAX_LEN elements ends
// there; simulation flags a missing in_last_i). Output rows keep input order; out_last_o marks each row's end.
module hw_softmax #(
  parameter int unsigned MAX_LEN   = 64,          // longest row (the model's seq_len)
  parameter int unsigned NUM_BUF   = 4,           // row buffers: 1, 2 or 4
  parameter int unsigned SUM_LANES = 1,           // elements per cycle of the sum phase: 1, 2 or 4
  parameter              EXP2_FILE = "exp2.hex"   // 256 x 16-bit image of EXP2 (generated)
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  logic              in_valid_i,
  output logic              in_ready_o,
  input  logic signed [15:0] z_i,
  input  logic              in_last_i,
  output logic              out_valid_o,
  input  logic              out_ready_i,
  output logic [7:0]        p_o,
  output logic              out_last_o,
  output logic              idle_o
);
  if (MAX_LEN < 1 || MAX_LEN > 65536) begin : gen_check_max_len
    $error("hw_softmax: MAX_LEN must be in 1..65536");
  end
  if (NUM_BUF != 1 && NUM_BUF != 2 && NUM_BUF != 4) begin : gen_check_num_buf
    $error("hw_softmax: NUM_BUF must be 1, 2 or 4");
  end
  if (SUM_LANES != 1 && SUM_LANES != 2 && SUM_LANES != 4) begin : gen_check_sum_lanes
    $error("hw_softmax: SUM_LANES must be 1, 2 or 4");
  end

  localparam int unsigned L     = SUM_LANES;
  localparam int unsigned BankDepth = (MAX_LEN + L - 1) / L;
  localparam int unsigned AddrW = (BankDepth > 1) ? $clog2(BankDepth) : 1;
  localparam int unsigned BankW = (L > 1) ? $clog2(L) : 1;
  localparam int unsigned LenW  = $clog2(MAX_LEN + 1);
  localparam int unsigned SumW  = 16 + ((MAX_LEN > 1) ? $clog2(MAX_LEN) : 0);  // sum <= MAX_LEN * 2^15
  localparam int unsigned NumBuf = NUM_BUF;
  localparam int unsigned PtrW   = (NUM_BUF > 1) ? $clog2(NUM_BUF) : 1;

  // Buffer states: each buffer goes round Free -> Fill -> Full -> Sum -> Summed -> Div -> Divided -> Emit -> Free.
  localparam logic [2:0] BufFree = 3'd0, BufFill = 3'd1, BufFull = 3'd2, BufSum = 3'd3,
                         BufSummed = 3'd4, BufDiv = 3'd5, BufDivided = 3'd6, BufEmit = 3'd7;

  // Per-buffer state and row constants, flattened (yosys 0.23 has no multi-dimensional packed arrays): buffer b
  // occupies bits [b*W +: W] of each vector.
  logic [NumBuf*3-1:0]           buf_st_q;
  logic [NumBuf*LenW-1:0]        row_len_q;
  logic [NumBuf*16-1:0]          row_max_q;
  logic [NumBuf*SumW-1:0]        row_sum_q;
  logic [NumBuf*32-1:0]          row_inv_q;
  logic [PtrW-1:0]               a_ptr_q, b_ptr_q, d_ptr_q, c_ptr_q;

  // ---- row buffers: SUM_LANES banks each ------------------------------------------------------------------------
  logic [NumBuf*L-1:0]           buf_re;
  logic [NumBuf*L*AddrW-1:0]     buf_raddr;
  logic [NumBuf*L*16-1:0]        buf_rdata;
  logic                          in_fire;
  logic [LenW-1:0]               a_cnt_q;

  logic                          b_issue, c_issue;
  logic [LenW-1:0]               b_idx_q, c_idx_q;   // B: groups of L elements; C: elements

  for (genvar g = 0; g < NumBuf; g++) begin : gen_row_buf
    for (genvar k = 0; k < L; k++) begin : gen_bank
      localparam int unsigned I = g*L + k;
      assign buf_re[I] = (b_issue && b_ptr_q == PtrW'(g)) ||
                         (c_issue && c_ptr_q == PtrW'(g) && 32'(c_idx_q) % L == k);
      assign buf_raddr[I*AddrW +: AddrW] = (b_issue && b_ptr_q == PtrW'(g)) ? AddrW'(b_idx_q) : AddrW'(32'(c_idx_q) / L);
      hw_sram #(.WIDTH(16), .DEPTH(BankDepth)) u_row_buf (
        .clk_i,
        .we_i    (in_fire && a_ptr_q == PtrW'(g) && 32'(a_cnt_q) % L == k),
        .waddr_i (AddrW'(32'(a_cnt_q) / L)),
        .wdata_i (z_i),
        .wbe_i   (2'b11),
        .re_i    (buf_re[I]),
        .raddr_i (buf_raddr[I*AddrW +: AddrW]),
        .rdata_o (buf_rdata[I*16 +: 16])
      );
    end
  end

  // ---- exp2 tables: one read port per B lane, one for C ----------------------------------------------------------
  logic        b_rom_re, c_rom_re;
  logic [L*8-1:0]  b_rom_addr;
  logic [L*16-1:0] b_rom_data;
  logic [7:0]  c_rom_addr;
  logic [15:0] c_rom_data;
  for (genvar k = 0; k < L; k++) begin : gen_exp2_b
    hw_sram #(.WIDTH(16), .DEPTH(256), .INIT_FILE(EXP2_FILE)) u_exp2_b (
      .clk_i, .we_i(1'b0), .waddr_i(8'd0), .wdata_i(16'd0), .wbe_i(2'b00),
      .re_i(b_rom_re), .raddr_i(b_rom_addr[k*8 +: 8]), .rdata_o(b_rom_data[k*16 +: 16]));
  end
  hw_sram #(.WIDTH(16), .DEPTH(256), .INIT_FILE(EXP2_FILE)) u_exp2_c (
    .clk_i, .we_i(1'b0), .waddr_i(8'd0), .wdata_i(16'd0), .wbe_i(2'b00),
    .re_i(c_rom_re), .raddr_i(c_rom_addr), .rdata_o(c_rom_data));

  function automatic logic [PtrW-1:0] next_ptr(input logic [PtrW-1:0] p);
    next_ptr = (32'(p) == NUM_BUF - 1) ? '0 : p + PtrW'(1);
  endfunction
  always_comb begin
    idle_o = 1'b1;
    for (int b = 0; b < NumBuf; b++) if (buf_st_q[b*3 +: 3] != BufFree) idle_o = 1'b0;
  end

  // u = max - z: the true difference of two int16 values with max >= z lies in 0..65535, so 16-bit modular
  // subtraction gives it exactly. Bits 7:0 index the table, bits 15:8 are the shift.
  function automatic logic [15:0] max_minus(input logic [15:0] zmax, input logic [15:0] z);
    max_minus = zmax - z;
  endfunction
  // e = table >> ip, 0 when ip >= 16.
  function automatic logic [15:0] exp_shift(input logic [15:0] table_word, input logic [7:0] ip);
    exp_shift = (ip >= 8'd16) ? 16'd0 : (table_word >> ip[3:0]);
  endfunction

  // ---- phase A: capture -------------------------------------------------------------------------------------------
  logic signed [15:0] a_max_q, a_max_new;
  logic               a_end;
  assign in_ready_o = (buf_st_q[a_ptr_q*3 +: 3] == BufFree) || (buf_st_q[a_ptr_q*3 +: 3] == BufFill);
  assign in_fire    = in_valid_i && in_ready_o;
  assign a_max_new  = (a_cnt_q == '0 || z_i > a_max_q) ? z_i : a_max_q;
  assign a_end      = in_fire && (in_last_i || a_cnt_q == LenW'(MAX_LEN - 1));

  // ---- phase B: exp and sum ---------------------------------------------------------------------------------------
  logic            b_active, b_done, b_left;
  logic            b_v1_q, b_v2_q;
  logic [L-1:0]    b_m1_q, b_m2_q;   // lanes of the group within the row
  logic [L*8-1:0]  b_ip_q;
  logic [SumW-1:0] b_sum_q, b_group;
  logic [L*16-1:0] b_u;
  assign b_active   = (buf_st_q[b_ptr_q*3 +: 3] == BufFull) || (buf_st_q[b_ptr_q*3 +: 3] == BufSum);
  assign b_left     = 32'(b_idx_q) * L < 32'(row_len_q[b_ptr_q*LenW +: LenW]);
  assign b_issue    = b_active && b_left;
  always_comb begin
    b_group = '0;
    for (int k = 0; k < L; k++) begin
      b_u[k*16 +: 16]      = max_minus(row_max_q[b_ptr_q*16 +: 16], buf_rdata[(32'(b_ptr_q)*L + k)*16 +: 16]);
      b_rom_addr[k*8 +: 8] = b_u[k*16 +: 8];
      if (b_m2_q[k]) b_group = b_group + SumW'(exp_shift(b_rom_data[k*16 +: 16], b_ip_q[k*8 +: 8]));
    end
  end
  assign b_rom_re   = b_v1_q;
  assign b_done     = (buf_st_q[b_ptr_q*3 +: 3] == BufSum) && !b_left && !b_v1_q && !b_v2_q;

  // ---- phase D: divide --------------------------------------------------------------------------------------------
  // 48 restoring steps, two per cycle, over the dividend 2^46 written with 48 bits: its single one is met at the
  // second step (the first cycle's second half).
  logic            d_active;
  logic [4:0]      d_step_q;
  logic [SumW-1:0] d_rem_q;      // remainder < divisor
  logic [SumW:0]   d_shift1, d_shift2;
  logic [SumW-1:0] d_rem1, d_rem2;
  logic [SumW-1:0] d_div_q;
  logic [29:0]     d_quot_q;     // floor(2^46 / sum) <= 2^31 (sum >= 2^15): the bits shifted past bit 29 are zero
  logic            d_bit1, d_bit2;
  assign d_active = buf_st_q[d_ptr_q*3 +: 3] == BufDiv;
  assign d_shift1 = {d_rem_q, 1'b0};
  assign d_bit1   = d_shift1 >= {1'b0, d_div_q};
  assign d_rem1   = d_bit1 ? SumW'(d_shift1 - {1'b0, d_div_q}) : SumW'(d_shift1);
  assign d_shift2 = {d_rem1, d_step_q == 5'd0};
  assign d_bit2   = d_shift2 >= {1'b0, d_div_q};
  assign d_rem2   = d_bit2 ? SumW'(d_shift2 - {1'b0, d_div_q}) : SumW'(d_shift2);

  // ---- phase C: emit ----------------------------------------------------------------------------------------------
  logic        c_adv, c_active;
  logic        c_v1_q, c_v2_q, out_valid_q;
  logic [PtrW-1:0] c1_buf_q;
  logic [BankW-1:0] c1_bank_q;
  logic [15:0] c1_max_q;
  logic [31:0] c1_inv_q, c2_inv_q;
  logic        c1_last_q, c2_last_q, out_last_q;
  logic [7:0]  c2_ip_q, p_q;
  logic [15:0] c_u, c_e;
  logic [8:0]  c_p;
  assign c_adv      = !out_valid_q || out_ready_i;
  assign c_active   = (buf_st_q[c_ptr_q*3 +: 3] == BufDivided) || (buf_st_q[c_ptr_q*3 +: 3] == BufEmit);
  assign c_issue    = c_active && c_adv && (c_idx_q < row_len_q[c_ptr_q*LenW +: LenW]);
  assign c_u        = max_minus(c1_max_q, buf_rdata[(32'(c1_buf_q)*L + 32'(c1_bank_q))*16 +: 16]);
  assign c_rom_re   = c_adv && c_v1_q;
  assign c_rom_addr = c_u[7:0];
  assign c_e        = exp_shift(c_rom_data, c2_ip_q);
  // e * inv <= 2^15 * 2^31: the rounded quotient is at most 256, 9 bits.
  assign c_p        = 9'((48'(c_e) * 48'(c2_inv_q) + (48'd1 << 37)) >> 38);
  assign out_valid_o = out_valid_q;
  assign p_o         = p_q;
  assign out_last_o  = out_last_q;

  // ---- state ------------------------------------------------------------------------------------------------------
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      buf_st_q    <= '0;
      a_ptr_q     <= '0;
      b_ptr_q     <= '0;
      d_ptr_q     <= '0;
      c_ptr_q     <= '0;
      a_cnt_q     <= '0;
      b_idx_q     <= '0;
      c_idx_q     <= '0;
      b_v1_q      <= 1'b0;
      b_v2_q      <= 1'b0;
      b_sum_q     <= '0;
      d_step_q    <= '0;
      c_v1_q      <= 1'b0;
      c_v2_q      <= 1'b0;
      out_valid_q <= 1'b0;
    end else begin
      // A
      if (in_fire) begin
        buf_st_q[a_ptr_q*3 +: 3] <= a_end ? BufFull : BufFill;
        if (a_end) begin
          row_len_q[a_ptr_q*LenW +: LenW] <= a_cnt_q + LenW'(1);
          row_max_q[a_ptr_q*16 +: 16] <= a_max_new;
          a_ptr_q            <= next_ptr(a_ptr_q);
          a_cnt_q            <= '0;
        end else begin
          a_cnt_q <= a_cnt_q + LenW'(1);
        end
      end
      // B: two-stage read/table pipeline, then the sum is final.
      b_v1_q <= b_issue;
      b_v2_q <= b_v1_q;
      if (b_issue) begin
        buf_st_q[b_ptr_q*3 +: 3] <= BufSum;
        b_idx_q           <= b_idx_q + LenW'(1);
      end
      if (b_v2_q) b_sum_q <= b_sum_q + b_group;
      if (b_done) begin
        row_sum_q[b_ptr_q*SumW +: SumW] <= b_sum_q;
        buf_st_q[b_ptr_q*3 +: 3]  <= BufSummed;
        b_ptr_q            <= next_ptr(b_ptr_q);
        b_idx_q            <= '0;
        b_sum_q            <= '0;
      end
      // D: claim a summed row, then 24 cycles of two restoring steps.
      if (buf_st_q[d_ptr_q*3 +: 3] == BufSummed) begin
        buf_st_q[d_ptr_q*3 +: 3] <= BufDiv;
        d_step_q          <= '0;
      end else if (d_active) begin
        d_step_q <= d_step_q + 5'd1;
        if (d_step_q == 5'd23) begin
          row_inv_q[d_ptr_q*32 +: 32] <= {d_quot_q, d_bit1, d_bit2};
          buf_st_q[d_ptr_q*3 +: 3]  <= BufDivided;
          d_ptr_q            <= next_ptr(d_ptr_q);
        end
      end
      // C: issue reads; the buffer is released once its last element has left the read stage.
      if (c_adv) begin
        c_v1_q      <= c_issue;
        c_v2_q      <= c_v1_q;
        out_valid_q <= c_v2_q;
        if (c_issue) begin
          buf_st_q[c_ptr_q*3 +: 3] <= BufEmit;
          c_idx_q           <= c_idx_q + LenW'(1);
        end
        if (c_v1_q && c1_last_q) begin
          buf_st_q[c1_buf_q*3 +: 3] <= BufFree;
          c_ptr_q            <= next_ptr(c_ptr_q);
          c_idx_q            <= '0;
        end
      end
    end
  end

  // Datapath registers (no reset needed: qualified by the valid bits above).
  always_ff @(posedge clk_i) begin
    if (in_fire) a_max_q <= a_max_new;
    for (int k = 0; k < L; k++) begin
      b_ip_q[k*8 +: 8] <= b_u[k*16 + 8 +: 8];
      b_m1_q[k]        <= 32'(b_idx_q) * L + k < 32'(row_len_q[b_ptr_q*LenW +: LenW]);
    end
    b_m2_q <= b_m1_q;
    if (buf_st_q[d_ptr_q*3 +: 3] == BufSummed) begin
      d_div_q  <= row_sum_q[d_ptr_q*SumW +: SumW];
      d_rem_q  <= '0;
      d_quot_q <= '0;
    end else if (d_active) begin
      d_rem_q  <= d_rem2;
      d_quot_q <= {d_quot_q[27:0], d_bit1, d_bit2};
    end
    if (c_adv) begin
      if (c_issue) begin
        c1_buf_q  <= c_ptr_q;
        c1_bank_q <= BankW'(32'(c_idx_q) % L);
        c1_max_q  <= row_max_q[c_ptr_q*16 +: 16];
        c1_inv_q  <= row_inv_q[c_ptr_q*32 +: 32];
        c1_last_q <= c_idx_q == row_len_q[c_ptr_q*LenW +: LenW] - LenW'(1);
      end
      c2_ip_q    <= c_u[15:8];
      c2_inv_q   <= c1_inv_q;
      c2_last_q  <= c1_last_q;
      p_q        <= (c_p > 9'd255) ? 8'd255 : c_p[7:0];
      out_last_q <= c2_last_q;
    end
  end

`ifndef SYNTHESIS
  // Run-time check, out of reset only: before the first reset edge the state is random (--x-initial unique).
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      // in reset: nothing to check
    end else if (in_fire && a_cnt_q == LenW'(MAX_LEN - 1) && !in_last_i) begin
      $error("hw_softmax: row longer than MAX_LEN=%0d without in_last_i", MAX_LEN);
    end
  end
`endif
endmodule
