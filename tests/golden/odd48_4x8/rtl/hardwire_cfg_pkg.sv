// ====================================================================================================
// hardwire 0.1.0 - generated file, do not edit.
// Regenerate: hardwire generate --model verif/models/odd48.json --array 4x8 --sram-bank-depth 4096 --out DIR  (DIR: the directory holding this file)
// Model: odd48 (dim 48, hidden 136, layers 3, heads 6 (kv 2), vocab 250, seq 40)
// Array 4x8, widths res=16,xn=8,q=16,k=8,v=8,att=8,up=16,h=16
// Configuration package (generated from the chip plan).
// ====================================================================================================
// Constants of this model and this accelerator configuration (the chip plan; manifest.json has the same data).
package hardwire_cfg_pkg;
  // model shape
  localparam int unsigned Dim             = 48;
  localparam int unsigned HiddenDim       = 136;
  localparam int unsigned NumLayers       = 3;
  localparam int unsigned NumHeads        = 6;
  localparam int unsigned NumKvHeads      = 2;
  localparam int unsigned HeadSize        = 8;
  localparam int unsigned Vocab           = 250;
  localparam int unsigned SeqLen          = 40;
  // activation widths per site (docs/numerics.md §1)
  localparam int unsigned ResW            = 16;
  localparam int unsigned XnW             = 8;
  localparam int unsigned QW              = 16;
  localparam int unsigned KW              = 8;
  localparam int unsigned VW              = 8;
  localparam int unsigned AttW            = 8;
  localparam int unsigned UpW             = 16;
  localparam int unsigned HW              = 16;
  // systolic array R x C
  localparam int unsigned ArrayRows       = 4;
  localparam int unsigned ArrayCols       = 8;
  // array activation width: the widest matmul input
  localparam int unsigned ActW            = 16;
  // array accumulator width: the widest accumulator bound (numerics §4)
  localparam int unsigned AccW            = 31;
  // largest reduction (matrix columns)
  localparam int unsigned KMax            = 136;
  // largest output (matrix rows)
  localparam int unsigned NMax            = 250;
  // weight SRAM words of ArrayCols bytes
  localparam int unsigned WeightWords     = 11184;
  // words per weight SRAM bank (0: one bank)
  localparam int unsigned WeightBankDepth = 4096;
  // weight banks in every PE (3: a decode tile loads while the bank before it drains)
  localparam int unsigned WeightBanks     = 3;
  // weight memory map: first word of each matrix
  localparam int unsigned WBaseL0_wq      = 0;
  localparam int unsigned WBaseL0_wk      = 288;
  localparam int unsigned WBaseL0_wv      = 384;
  localparam int unsigned WBaseL0_wo      = 480;
  localparam int unsigned WBaseL0_w1      = 768;
  localparam int unsigned WBaseL0_w3      = 1584;
  localparam int unsigned WBaseL0_w2      = 2400;
  localparam int unsigned WBaseL1_wq      = 3216;
  localparam int unsigned WBaseL1_wk      = 3504;
  localparam int unsigned WBaseL1_wv      = 3600;
  localparam int unsigned WBaseL1_wo      = 3696;
  localparam int unsigned WBaseL1_w1      = 3984;
  localparam int unsigned WBaseL1_w3      = 4800;
  localparam int unsigned WBaseL1_w2      = 5616;
  localparam int unsigned WBaseL2_wq      = 6432;
  localparam int unsigned WBaseL2_wk      = 6720;
  localparam int unsigned WBaseL2_wv      = 6816;
  localparam int unsigned WBaseL2_wo      = 6912;
  localparam int unsigned WBaseL2_w1      = 7200;
  localparam int unsigned WBaseL2_w3      = 8016;
  localparam int unsigned WBaseL2_w2      = 8832;
  localparam int unsigned WBasecls        = 9648;
  // accelerator core (hw_core): attention lanes (16-bit), memories and accumulators
  localparam int unsigned AttLanes        = 8;
  // attention / SwiGLU / embedding accumulator width
  localparam int unsigned MacAccW         = 34;
  // requantizer input width
  localparam int unsigned RqAccW          = 34;
  // RoPE unit width: max(q, k)
  localparam int unsigned RopeW           = 16;
  // activation scratchpad, 32-bit words
  localparam int unsigned ScratchWords    = 1170;
  // KV-cache / q-buffer words per head
  localparam int unsigned HeadWords       = 1;
  // KV-cache words per position: NumKvHeads x HeadWords
  localparam int unsigned KvRowWords      = 2;
  // KV cache words of AttLanes x 16 bits: K then V, per layer seq_len x n_kv_heads heads
  localparam int unsigned KvWords         = 480;
  // embedding SRAM words of ArrayCols bytes
  localparam int unsigned EmbWords        = 1500;
  localparam int unsigned EmbWordsPerRow  = 6;
  localparam int unsigned RequantWords    = 1853;
  localparam int unsigned NormWords       = 7;
  // microcode instructions per decode step
  localparam int unsigned ProgramWords    = 91;
  // memory images (weights: per-bank prefix, hw_sram reads <prefix>_bank<b>.hex)
  localparam WeightImage                  = "mem/weights";
  localparam Exp2Image                    = "mem/exp2.hex";
  localparam EmbImage                     = "mem/embedding.hex";
  localparam RequantImage                 = "mem/requant.hex";
  localparam NormImage                    = "mem/norms.hex";
  localparam SiluImage                    = "mem/silu.hex";
  localparam RopeCosImage                 = "mem/rope_cos.hex";
  localparam RopeSinImage                 = "mem/rope_sin.hex";
  localparam ProgramImage                 = "mem/program.hex";
endpackage
