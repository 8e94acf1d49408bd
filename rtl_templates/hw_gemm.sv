// hw_gemm — matrix product on the systolic array, weights from on-chip SRAM:
//
//   Y[m][n] = sum_k X[m][k] * W[n][k]          (docs/numerics.md §4: exact, ACC_W-bit accumulators)
//
// for runtime sizes 1 <= M <= M_MAX, 1 <= K <= K_MAX, 1 <= N <= N_MAX. W is int8 (out x in), X has A_W bits.
//
// Memories (both hw_sram macros; the host can write both, and the weight SRAM can start from a generated image):
//   weights  C bytes per word; a job's matrix starts at word w_base_i; its tile (nt, kt) = N columns nt*C.. and
//            K rows kt*R.. occupies words w_base_i + (nt*KT + kt)*R + r, r = 0..R-1, word r holding W[nt*C + c][kt*R + r] in byte c (zero outside W).
//            KT = ceil(K/R), NT = ceil(N/C). generator/ writes this layout (gen::gemm_weight_words).
//   X        R activations per word; word m*KT + kt holds X[m][kt*R + r] in lane r (zero outside X).
//
// Schedule: for nt, for kt: stream the M activation rows of tile (nt, kt) through the array, one per cycle; the
// next tiles' R weight rows load into the other weight banks meanwhile (one SRAM word per cycle), so loads overlap
// compute. Tiles rotate over NUM_BANKS banks: with 2, a decode tile (M = 1) waits for the bank its predecessor but
// one used to drain; with 3, the loader runs two tiles ahead and decode approaches one tile per R cycles. A bank row is rewritten only after the last activation that used it has passed it (loads advance with
// the array; the drain count is C + 2 advancing cycles). Accumulation across kt happens in an M_MAX-deep register file; the last kt's sums stream out.
// Cost per tile: max(M, R + 1) cycles -> M*K*N/(R*C) for large M; for M = 1 the weight SRAM port (C bytes per
// cycle) is the bound.
//
// Interface: start_i (while !busy_o) with m_i/k_i/n_i; results leave as NT*M beats (nt-major, then m) of C
// accumulators, out_last_o on the final beat; out_valid/out_ready with back-pressure.
module hw_gemm #(
  parameter int unsigned R      = 4,
  parameter int unsigned C      = 4,
  parameter int unsigned A_W    = 8,
  parameter int unsigned ACC_W  = 24,
  parameter int unsigned M_MAX  = 64,
  parameter int unsigned K_MAX  = 64,
  parameter int unsigned N_MAX  = 64,
  parameter int unsigned W_DEPTH = 1024,  // weight SRAM words (the generator sizes it: ChipPlan::weight_words)
  parameter int unsigned W_BANK_DEPTH = 0,  // words per weight SRAM bank (power of two); 0: one bank
  parameter int unsigned NUM_BANKS = 2,     // weight banks in every PE: 2 or 3
  parameter              W_FILE = ""    // initial weight image ($readmemh; per-bank prefix when banked), optional
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  // host access to the memories
  input  logic               wmem_we_i,
  input  logic [WAddrW-1:0]  wmem_addr_i,
  input  logic [C*8-1:0]     wmem_data_i,
  input  logic               xmem_we_i,
  input  logic [XAddrW-1:0]  xmem_addr_i,
  input  logic [R*A_W-1:0]   xmem_data_i,
  // job
  input  logic               start_i,
  input  logic [DimW-1:0]    m_i,
  input  logic [DimW-1:0]    k_i,
  input  logic [DimW-1:0]    n_i,
  input  logic [WAddrW-1:0]  w_base_i,   // first weight word of the job's matrix (its tile 0, row 0)
  output logic               busy_o,
  // results
  output logic               out_valid_o,
  input  logic               out_ready_i,
  output logic [C*ACC_W-1:0] out_data_o,
  output logic               out_last_o
);
  localparam int unsigned KtMax  = (K_MAX + R - 1) / R;
  localparam int unsigned NtMax  = (N_MAX + C - 1) / C;
  localparam int unsigned WDepth = W_DEPTH;
  localparam int unsigned XDepth = M_MAX * KtMax;
  localparam int unsigned WAddrW = (WDepth > 1) ? $clog2(WDepth) : 1;
  localparam int unsigned XAddrW = (XDepth > 1) ? $clog2(XDepth) : 1;
  localparam int unsigned MaxDim = (M_MAX > K_MAX) ? ((M_MAX > N_MAX) ? M_MAX : N_MAX) : ((K_MAX > N_MAX) ? K_MAX : N_MAX);
  localparam int unsigned DimW   = $clog2(MaxDim + 1);
  localparam int unsigned TileW  = $clog2(NtMax * KtMax + 1);
  localparam int unsigned RowW   = (R > 1) ? $clog2(R) : 1;
  localparam int unsigned MW     = (M_MAX > 1) ? $clog2(M_MAX) : 1;
  localparam int unsigned DrainW = $clog2(R + C + 2);
  localparam int unsigned SelW   = (NUM_BANKS > 2) ? 2 : 1;

  if (M_MAX < 1 || K_MAX < 1 || N_MAX < 1) begin : gen_check_dims
    $error("hw_gemm: M_MAX, K_MAX and N_MAX must be positive");
  end
  // N_MAX and K_MAX may come from different matrices (the classifier's rows, FFN down's columns): the weight
  // memory must hold a matrix of N_MAX rows and one of K_MAX columns, not necessarily one of N_MAX x K_MAX.
  localparam int unsigned TileMax = (NtMax > KtMax) ? NtMax : KtMax;
  if (W_DEPTH < TileMax * R) begin : gen_check_w_depth
    $error("hw_gemm: W_DEPTH must hold a matrix of N_MAX rows and one of K_MAX columns");
  end

  // ---- job registers ------------------------------------------------------------------------------------------
  logic [DimW-1:0]  m_q;
  logic [TileW-1:0] kt_n_q, tiles_q;  // KT and NT*KT of the running job
  logic             busy_q;
  assign busy_o = busy_q;

  // ---- array --------------------------------------------------------------------------------------------------
  logic               arr_in_valid, arr_in_ready, arr_adv;
  logic [SelW-1:0]    arr_in_sel;
  logic [R*A_W-1:0]   arr_in_a;
  logic               arr_out_valid, arr_out_ready;
  logic [C*ACC_W-1:0] arr_out;
  logic               w_we;
  logic [SelW-1:0]    w_bank;
  logic [RowW-1:0]    w_row;
  logic [C*8-1:0]     w_data;

  hw_systolic_array #(.R(R), .C(C), .A_W(A_W), .ACC_W(ACC_W), .NUM_BANKS(NUM_BANKS)) u_array (
    .clk_i, .rst_ni,
    .in_valid_i (arr_in_valid), .in_ready_o (arr_in_ready), .in_a_i (arr_in_a), .in_sel_i (arr_in_sel),
    .out_valid_o(arr_out_valid), .out_ready_i(arr_out_ready), .out_psum_o(arr_out), .adv_o(arr_adv),
    .w_we_i(w_we), .w_bank_i(w_bank), .w_row_i(w_row), .w_data_i(w_data));

  // ---- tile loader: weight SRAM -> weight bank (tile index ld_tile_q, row ld_row_q) ---------------------------------
  logic [TileW-1:0]  ld_tile_q, st_tile_q;       // next tile to load / to stream
  logic [RowW-1:0]   ld_row_q;
  logic [WAddrW-1:0] ld_addr_q;
  logic              ld_rd_q;                    // a weight word is arriving from the SRAM this cycle
  logic [RowW-1:0]   ld_rd_row_q;
  logic [SelW-1:0]   ld_rd_bank_q, ld_bank_q, st_bank_q;  // banks of the word in flight, the next load, the stream
  logic              ld_rd_lastrow_q;
  logic [NUM_BANKS-1:0] bank_loaded_q;           // bank holds a complete tile not yet streamed
  logic [NUM_BANKS*DrainW-1:0] bank_drain_q;     // advancing cycles until the bank's last user has left
  logic [SelW-1:0]   ld_bank;
  logic              ld_go;
  logic [C*8-1:0]    wmem_rdata;

  assign ld_bank = ld_bank_q;
  // Load tile ld_tile_q when it is at most NUM_BANKS - 1 ahead of the streamer (compared one bit wider, so the sum
  // cannot wrap) and its bank is free and drained. Rows load in
  // order, one per advancing cycle, so row r is rewritten no sooner than the drain count plus r advancing cycles
  // after the bank's last activation was issued: C + 2 covers the column it still has to cross.
  assign ld_go = busy_q && arr_adv && (ld_tile_q < tiles_q) &&
                 ({1'b0, ld_tile_q} <= {1'b0, st_tile_q} + (TileW + 1)'(NUM_BANKS - 1)) &&
                 !bank_loaded_q[ld_bank] && (bank_drain_q[ld_bank*DrainW +: DrainW] == '0) &&
                 !(ld_rd_q && ld_rd_lastrow_q && ld_rd_bank_q == ld_bank);

  hw_sram #(.WIDTH(C*8), .DEPTH(WDepth), .BANK_DEPTH(W_BANK_DEPTH), .INIT_FILE(W_FILE)) u_wmem (
    .clk_i,
    .we_i   (wmem_we_i && !busy_q),
    .waddr_i(wmem_addr_i),
    .wdata_i(wmem_data_i),
    .wbe_i  ('1),
    .re_i   (ld_go),
    .raddr_i(ld_addr_q),
    .rdata_o(wmem_rdata));

  assign w_we   = ld_rd_q;
  assign w_bank = ld_rd_bank_q;
  assign w_row  = ld_rd_row_q;
  assign w_data = wmem_rdata;

  // ---- streamer: X buffer -> array (tile st_tile_q, row st_m_q) ---------------------------------------------------
  logic [DimW-1:0]   st_m_q;
  logic [TileW-1:0]  st_kt_q;                    // kt of the streamed tile
  logic [XAddrW-1:0] st_addr_q;
  logic [SelW-1:0]   st_bank;
  logic              st_go, st_last_row;
  logic              x_v_q;                      // the X word read last cycle is waiting for the array
  logic [SelW-1:0]   x_sel_q;
  logic [R*A_W-1:0]  xmem_rdata;

  assign st_bank     = st_bank_q;
  assign st_last_row = st_m_q == m_q - DimW'(1);
  // Issue the next X read when the tile's weights are loaded and the slot in front of the array is free or moving.
  assign st_go = busy_q && (st_tile_q < tiles_q) && bank_loaded_q[st_bank] && (!x_v_q || arr_in_ready);

  hw_sram #(.WIDTH(R*A_W), .DEPTH(XDepth)) u_xmem (
    .clk_i,
    .we_i   (xmem_we_i && !busy_q),
    .waddr_i(xmem_addr_i),
    .wdata_i(xmem_data_i),
    .wbe_i  ('1),
    .re_i   (st_go),
    .raddr_i(st_addr_q),
    .rdata_o(xmem_rdata));

  assign arr_in_valid = x_v_q;
  assign arr_in_a     = xmem_rdata;
  assign arr_in_sel   = x_sel_q;

  // ---- accumulation and output ----------------------------------------------------------------------------------
  logic [C*ACC_W-1:0] acc_q [M_MAX];
  logic [C*ACC_W-1:0] acc_sum;
  logic [MW-1:0]      o_m_q;
  logic [TileW-1:0]   o_kt_q, o_tiles_q;
  logic               o_last_kt, o_fire;

  assign o_last_kt = o_kt_q == kt_n_q - TileW'(1);
  for (genvar c = 0; c < C; c++) begin : gen_acc
    assign acc_sum[c*ACC_W +: ACC_W] =
        arr_out[c*ACC_W +: ACC_W] + ((o_kt_q == '0) ? ACC_W'(0) : acc_q[o_m_q][c*ACC_W +: ACC_W]);
  end
  assign arr_out_ready = !o_last_kt || out_ready_i;
  assign out_valid_o   = arr_out_valid && o_last_kt;
  assign out_data_o    = acc_sum;
  assign out_last_o    = o_tiles_q == tiles_q - TileW'(1) && DimW'(o_m_q) == m_q - DimW'(1);
  assign o_fire        = arr_out_valid && arr_out_ready;

  always_ff @(posedge clk_i) begin
    if (o_fire && !o_last_kt) acc_q[o_m_q] <= acc_sum;
  end

  // ---- control --------------------------------------------------------------------------------------------------
  logic [TileW-1:0] kt_n_d, nt_n_d;
  localparam int unsigned CalcW = DimW + 10;  // ceil-divisions by R, C (<= 256) without overflow
  assign kt_n_d = TileW'((CalcW'(k_i) + CalcW'(R - 1)) / CalcW'(R));
  assign nt_n_d = TileW'((CalcW'(n_i) + CalcW'(C - 1)) / CalcW'(C));

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q        <= 1'b0;
      m_q           <= '0;
      kt_n_q        <= '0;
      tiles_q       <= '0;
      ld_tile_q     <= '0;
      ld_row_q      <= '0;
      ld_addr_q     <= '0;
      ld_rd_q       <= 1'b0;
      ld_rd_row_q   <= '0;
      ld_rd_bank_q  <= '0;
      ld_bank_q     <= '0;
      st_bank_q     <= '0;
      ld_rd_lastrow_q <= 1'b0;
      bank_loaded_q <= '0;
      bank_drain_q  <= '0;
      st_tile_q     <= '0;
      st_m_q        <= '0;
      st_kt_q       <= '0;
      st_addr_q     <= '0;
      x_v_q         <= 1'b0;
      x_sel_q       <= '0;
      o_m_q         <= '0;
      o_kt_q        <= '0;
      o_tiles_q     <= '0;
    end else begin
      if (!busy_q) begin
        if (start_i) begin
          busy_q        <= 1'b1;
          m_q           <= m_i;
          kt_n_q        <= kt_n_d;
          tiles_q       <= TileW'(kt_n_d * nt_n_d);
          ld_tile_q     <= '0;
          ld_row_q      <= '0;
          ld_addr_q     <= w_base_i;
          bank_loaded_q <= '0;
          bank_drain_q  <= '0;
          ld_bank_q     <= '0;
          st_bank_q     <= '0;
          st_tile_q     <= '0;
          st_m_q        <= '0;
          st_kt_q       <= '0;
          st_addr_q     <= '0;
          o_m_q         <= '0;
          o_kt_q        <= '0;
          o_tiles_q     <= '0;
        end
      end else begin
        // Loader: read R words per tile; each arrives the next cycle and is written into its bank row.
        ld_rd_q <= ld_go;
        if (ld_go) begin
          ld_rd_row_q     <= ld_row_q;
          ld_rd_bank_q    <= ld_bank;
          ld_rd_lastrow_q <= ld_row_q == RowW'(R - 1);
          ld_addr_q       <= ld_addr_q + WAddrW'(1);
          if (ld_row_q == RowW'(R - 1)) begin
            ld_row_q  <= '0;
            ld_tile_q <= ld_tile_q + TileW'(1);
            ld_bank_q <= (ld_bank_q == SelW'(NUM_BANKS - 1)) ? '0 : ld_bank_q + SelW'(1);
          end else begin
            ld_row_q <= ld_row_q + RowW'(1);
          end
        end
        if (ld_rd_q && ld_rd_lastrow_q) bank_loaded_q[ld_rd_bank_q] <= 1'b1;
        // Drain counters count advancing cycles of the array.
        for (int b = 0; b < NUM_BANKS; b++) begin
          if (arr_adv && bank_drain_q[b*DrainW +: DrainW] != '0)
            bank_drain_q[b*DrainW +: DrainW] <= bank_drain_q[b*DrainW +: DrainW] - DrainW'(1);
        end
        // Streamer: the X word read at st_go enters the array when it is ready.
        if (arr_in_ready || !x_v_q) x_v_q <= st_go;
        if (st_go) begin
          x_sel_q <= st_bank;
          if (st_last_row) begin
            // Tile done: its bank drains, the next tile (next kt, or next nt from kt 0) follows.
            st_m_q                                   <= '0;
            bank_loaded_q[st_bank]                   <= 1'b0;
            bank_drain_q[st_bank*DrainW +: DrainW]   <= DrainW'(C + 2);
            st_tile_q                                <= st_tile_q + TileW'(1);
            st_bank_q <= (st_bank_q == SelW'(NUM_BANKS - 1)) ? '0 : st_bank_q + SelW'(1);
            if (st_kt_q == kt_n_q - TileW'(1)) begin
              st_kt_q   <= '0;
              st_addr_q <= '0;
            end else begin
              st_kt_q   <= st_kt_q + TileW'(1);
              st_addr_q <= XAddrW'(st_kt_q) + XAddrW'(1);
            end
          end else begin
            st_m_q    <= st_m_q + DimW'(1);
            st_addr_q <= st_addr_q + XAddrW'(kt_n_q);
          end
        end
        // Output side: follow the array's results in streaming order.
        if (o_fire) begin
          if (DimW'(o_m_q) == m_q - DimW'(1)) begin
            o_m_q     <= '0;
            o_tiles_q <= o_tiles_q + TileW'(1);
            o_kt_q    <= o_last_kt ? '0 : o_kt_q + TileW'(1);
            if (o_tiles_q == tiles_q - TileW'(1)) busy_q <= 1'b0;
          end else begin
            o_m_q <= o_m_q + MW'(1);
          end
        end
      end
    end
  end
endmodule
