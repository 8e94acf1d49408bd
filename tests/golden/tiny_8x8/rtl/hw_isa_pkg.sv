// ====================================================================================================
// hardwire 0.1.0 - generated file, do not edit.
// Regenerate: hardwire generate --model tiny --array 8x8 --weight-port 64 --sram-bank-depth 4096 --out DIR  (DIR: the directory holding this file)
// Model: tiny (dim 32, hidden 96, layers 2, heads 4 (kv 2), vocab 100, seq 64)
// Array 8x8, widths res=16,xn=16,q=16,k=16,v=16,att=16,gate=16,up=16,h=16
// Instruction-set package (generated from isa.def, field widths of this program).
// ====================================================================================================
// hw_core's instruction set (generated from generator/include/hardwire/gen/isa.def): op codes, and the
// instruction word of this design, every field as wide as this design's program needs.
package hw_isa_pkg;
  // field widths (bits): as wide as this design's program needs
  localparam int unsigned ABaseW        = 9;
  localparam int unsigned AStrideInnerW = 1;
  localparam int unsigned AStrideOuterW = 1;
  localparam int unsigned BBaseW        = 9;
  localparam int unsigned BStrideInnerW = 1;
  localparam int unsigned BStrideOuterW = 2;
  localparam int unsigned NInnerW       = 7;
  localparam int unsigned NOuterW       = 1;
  localparam int unsigned NOutW         = 7;
  localparam int unsigned DstW          = 9;
  localparam int unsigned RqBaseW       = 7;
  localparam int unsigned OutBitsW      = 6;
  localparam int unsigned WBaseW        = 9;
  localparam int unsigned GsBaseW       = 1;
  localparam int unsigned NormIndexW    = 3;
  localparam int unsigned SiluLayerW    = 1;
  // op code bits
  localparam int unsigned OpW           = 4;
  // instruction word bits
  localparam int unsigned InstrW        = 82;

  // op codes
  typedef enum logic [OpW-1:0] {
    OpEmbed  = 4'd1,  // EMBED
    OpNorm   = 4'd2,  // NORM
    OpMatvec = 4'd3,  // MATVEC
    OpRope   = 4'd4,  // ROPE
    OpCopyKv = 4'd5,  // COPYKV
    OpScores = 4'd6,  // SCORES
    OpPv     = 4'd7,  // PV
    OpSwiglu = 4'd8,  // SWIGLU
    OpResadd = 4'd9,  // RESADD
    OpOutput = 4'd10,  // OUTPUT
    OpPackQ  = 4'd11   // PACKQ
  } op_e;

  // activity events: the bits of hw_core's dbg_ev_o (generator/include/hardwire/gen/events.def)
  typedef enum logic [3:0] {
    EvWeightRead     = 4'd0,  // matrix engine issue: one word of every weight bank and one X-buffer word read, P x C multiply-accumulates
    EvGroupScaleRead = 4'd1,  // one group-scale ROM word read (C scales, with a group's last weight word; formats with group scales)
    EvXbufWrite      = 4'd2,  // one X-buffer word written (P activations)
    EvScratchReadA   = 4'd3,  // one word of the scratchpad's first copy read (source A; every reader issue)
    EvScratchReadB   = 4'd4,  // one word of the scratchpad's second copy read (source B: SWIGLU, RESADD)
    EvScratchWrite   = 4'd5,  // one scratchpad word written (both copies)
    EvKvRead         = 4'd6,  // one KV-cache word read (SCORES, PV), and its lanes' multiply-accumulates with every query head sharing them
    EvKvWrite        = 4'd7,  // one KV-cache word written (COPYKV)
    EvQRead          = 4'd8,  // one q-buffer word read (SCORES)
    EvQWrite         = 4'd9,  // one q-buffer word written (PACKQ)
    EvEmbRead        = 4'd10,  // one embedding word read (EMBED)
    EvNormRead       = 4'd11,  // one word of the norm-constant ROM read (every instruction's decode)
    EvCount          = 4'd12   // how many: dbg_ev_o's width
  } ev_e;

  // one instruction word (the program ROM holds InstrW-bit words of this layout)
  typedef struct packed {
    op_e                      op;
    logic                     b_add_token_row;   // flag
    logic                     rq_add_token;      // flag
    logic                     dst_add_position;  // flag
    logic                     to_host;           // flag
    logic [ABaseW-1:0]        a_base;
    logic [AStrideInnerW-1:0] a_stride_inner;
    logic [AStrideOuterW-1:0] a_stride_outer;
    logic [BBaseW-1:0]        b_base;
    logic [BStrideInnerW-1:0] b_stride_inner;
    logic [BStrideOuterW-1:0] b_stride_outer;
    logic [NInnerW-1:0]       n_inner;
    logic [NOuterW-1:0]       n_outer;
    logic [NOutW-1:0]         n_out;
    logic [DstW-1:0]          dst;
    logic [RqBaseW-1:0]       rq_base;
    logic [OutBitsW-1:0]      out_bits;
    logic [WBaseW-1:0]        w_base;
    logic [GsBaseW-1:0]       gs_base;
    logic [NormIndexW-1:0]    norm_index;
    logic [SiluLayerW-1:0]    silu_layer;
  } instr_t;
endpackage
