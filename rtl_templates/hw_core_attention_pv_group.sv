// hw_core_attention_pv_group — the P . V accumulators of H consecutive query heads of hw_core_attention (one
// hw_core_attention_pv each: N = H x HEAD_SIZE) and their part of the drain's shift chain, which moves every
// accumulator V places down a beat:
//
//   accumulator i takes accumulator i + V of this group, or lane i + V - N of shift_in_i (the next group's first
//   V accumulators; zero after the last group; so N >= V unless this is the only group);
//   first_o: this group's first V accumulators (zero past N).
//
// The group's heads come as K parts of QH heads (QH = H, K = 1: heads of one KV word; QH = the word's query heads,
// K = H / QH: K whole words). Part k accumulates while en_i[k]; its head j takes probability p_i[j] and the V lanes of
// KV head j / KV_MUL of kv_i (every part sees the same word: the one read). hw_core_attention splits its DIM
// accumulators into equal groups, so that both it and each group stay small for synthesis, which maps one group (and
// one accumulator) once.
module hw_core_attention_pv_group #(
  parameter int unsigned H         = 1,   // query heads in the group
  parameter int unsigned QH        = 1,   // query heads per part
  parameter int unsigned HEAD_SIZE = 8,
  parameter int unsigned KV_MUL    = 1,   // query heads per KV head
  parameter int unsigned V         = 1,   // the drain's beat: accumulators per result beat
  parameter int unsigned ACC_W     = 40
) (
  input  logic                    clk_i,
  input  logic [K-1:0]            en_i,        // per part: accumulate this cycle
  input  logic                    first_i,     // the first position: start from 0
  input  logic [QH*9-1:0]         p_i,         // per head of a part: its probability
  input  logic [KVH*HEAD_SIZE*16-1:0] kv_i,    // the V lanes of the part's KV heads
  input  logic                    shift_i,     // a drain beat
  input  logic [V*ACC_W-1:0]      shift_in_i,
  output logic [V*ACC_W-1:0]      first_o
);
  localparam int unsigned K   = H / QH;
  localparam int unsigned KVH = (QH + KV_MUL - 1) / KV_MUL;
  localparam int unsigned N   = H * HEAD_SIZE;
  if (H < 1 || QH < 1 || H % QH != 0 || (QH % KV_MUL != 0 && KV_MUL % QH != 0) || V < 1) begin : gen_check
    $error("hw_core_attention_pv_group: H a multiple of QH, QH a multiple or divisor of KV_MUL, V >= 1");
  end
  logic [N*ACC_W-1:0] acc;
  for (genvar i = 0; i < N; i++) begin : gen_acc
    localparam int unsigned Part = i / (QH * HEAD_SIZE), J = (i / HEAD_SIZE) % QH, E = i % HEAD_SIZE;
    logic [ACC_W-1:0] next;
    if (i + V < N) begin : gen_inside
      assign next = acc[(i + V)*ACC_W +: ACC_W];
    end else begin : gen_from_next
      assign next = shift_in_i[(i + V - N)*ACC_W +: ACC_W];
    end
    hw_core_attention_pv #(.ACC_W(ACC_W)) u_pv (
      .clk_i, .en_i(en_i[Part]), .first_i, .p_i(p_i[J*9 +: 9]), .v_i(kv_i[((J / KV_MUL)*HEAD_SIZE + E)*16 +: 16]),
      .shift_i, .shift_in_i(next), .acc_o(acc[i*ACC_W +: ACC_W]));
  end
  for (genvar l = 0; l < V; l++) begin : gen_first
    if (l < N) begin : gen_lane
      assign first_o[l*ACC_W +: ACC_W] = acc[l*ACC_W +: ACC_W];
    end else begin : gen_none
      assign first_o[l*ACC_W +: ACC_W] = '0;
    end
  end
  if (N < V) begin : gen_unused
    logic unused;
    assign unused = ^shift_in_i[(V - N)*ACC_W-1:0];  // lanes 0 .. V-N-1: no accumulator takes them
  end
endmodule
