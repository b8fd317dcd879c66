;; SIMD matrix product for the `wasm` backend (src/compute/wasm.ts). Assembled into
;; simd.wasm by `npm run build:wasm` (scripts/build-wasm.ts, wabt); both are committed.
;;
;; gemm: C (4·np × 8·nq, row stride ldc bytes) = op(A) · op(B), one 4×8 tile at a time.
;; Operands are addressed through byte strides, so each is read where it lies:
;;   op(A)[4·ib + t, kk] at a + ib·aI + t·aT + kk·aK     (t = 0..3)
;;   op(B)[kk, 8·jb + u] at b + jb·bJ + kk·bK + 4u        (u = 0..7, consecutive)
;; A row-major A (aT = row stride, aK = 4), a transposed one (aT = 4, aK = row stride) and
;; packed panels all work; B needs 8 consecutive columns (row-major B, or packed panels
;; when op(B) is a transpose; wasm.ts packs). Rows and columns past the edge read
;; whatever follows (wasm.ts leaves zeroed slack) and land in padding that is dropped.
;; The tile keeps eight f32x4 accumulators in registers: per kk two B loads, four
;; splat loads of A and 32 multiply-adds (Node 20's wasm has no FMA). A panels are
;; visited in cache blocks of `chunk` panels: the block of A stays in L2 while every
;; B panel streams past it.
(module
  (memory (export "memory") 1)
  (func (export "gemm")
    (param $a i32) (param $aI i32) (param $aT i32) (param $aK i32)
    (param $b i32) (param $bJ i32) (param $bK i32)
    (param $c i32) (param $ldc i32) (param $np i32) (param $nq i32) (param $k i32) (param $chunk i32)
    (local $i0 i32) (local $i1 i32) (local $ib i32) (local $jb i32) (local $n i32)
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32) (local $pb i32) (local $o i32)
    (local $x v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (if (i32.eqz (local.get $k)) (then (return)))
    (local.set $i0 (i32.const 0))
    (loop $chunks
      (local.set $i1 (i32.add (local.get $i0) (local.get $chunk)))
      (if (i32.gt_u (local.get $i1) (local.get $np)) (then (local.set $i1 (local.get $np))))
      (local.set $jb (i32.const 0))
      (loop $cols
        (local.set $ib (local.get $i0))
        (loop $rows
          (local.set $p0 (i32.add (local.get $a) (i32.mul (local.get $ib) (local.get $aI))))
          (local.set $p1 (i32.add (local.get $p0) (local.get $aT)))
          (local.set $p2 (i32.add (local.get $p1) (local.get $aT)))
          (local.set $p3 (i32.add (local.get $p2) (local.get $aT)))
          (local.set $pb (i32.add (local.get $b) (i32.mul (local.get $jb) (local.get $bJ))))
          (local.set $n (local.get $k))
          (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c01 (v128.const i32x4 0 0 0 0))
          (local.set $c10 (v128.const i32x4 0 0 0 0)) (local.set $c11 (v128.const i32x4 0 0 0 0))
          (local.set $c20 (v128.const i32x4 0 0 0 0)) (local.set $c21 (v128.const i32x4 0 0 0 0))
          (local.set $c30 (v128.const i32x4 0 0 0 0)) (local.set $c31 (v128.const i32x4 0 0 0 0))
          (loop $kk
            (local.set $b0 (v128.load (local.get $pb)))
            (local.set $b1 (v128.load offset=16 (local.get $pb)))
            (local.set $x (v128.load32_splat (local.get $p0)))
            (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $b0))))
            (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (local.get $b1))))
            (local.set $x (v128.load32_splat (local.get $p1)))
            (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x) (local.get $b0))))
            (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x) (local.get $b1))))
            (local.set $x (v128.load32_splat (local.get $p2)))
            (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $x) (local.get $b0))))
            (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $x) (local.get $b1))))
            (local.set $x (v128.load32_splat (local.get $p3)))
            (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $x) (local.get $b0))))
            (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $x) (local.get $b1))))
            (local.set $p0 (i32.add (local.get $p0) (local.get $aK)))
            (local.set $p1 (i32.add (local.get $p1) (local.get $aK)))
            (local.set $p2 (i32.add (local.get $p2) (local.get $aK)))
            (local.set $p3 (i32.add (local.get $p3) (local.get $aK)))
            (local.set $pb (i32.add (local.get $pb) (local.get $bK)))
            (local.set $n (i32.sub (local.get $n) (i32.const 1)))
            (br_if $kk (local.get $n)))
          ;; the tile's four rows of C
          (local.set $o (i32.add (local.get $c)
            (i32.add (i32.mul (i32.shl (local.get $ib) (i32.const 2)) (local.get $ldc)) (i32.shl (local.get $jb) (i32.const 5)))))
          (v128.store (local.get $o) (local.get $c00)) (v128.store offset=16 (local.get $o) (local.get $c01))
          (local.set $o (i32.add (local.get $o) (local.get $ldc)))
          (v128.store (local.get $o) (local.get $c10)) (v128.store offset=16 (local.get $o) (local.get $c11))
          (local.set $o (i32.add (local.get $o) (local.get $ldc)))
          (v128.store (local.get $o) (local.get $c20)) (v128.store offset=16 (local.get $o) (local.get $c21))
          (local.set $o (i32.add (local.get $o) (local.get $ldc)))
          (v128.store (local.get $o) (local.get $c30)) (v128.store offset=16 (local.get $o) (local.get $c31))
          (local.set $ib (i32.add (local.get $ib) (i32.const 1)))
          (br_if $rows (i32.lt_u (local.get $ib) (local.get $i1))))
        (local.set $jb (i32.add (local.get $jb) (i32.const 1)))
        (br_if $cols (i32.lt_u (local.get $jb) (local.get $nq))))
      (local.set $i0 (local.get $i1))
      (br_if $chunks (i32.lt_u (local.get $i0) (local.get $np)))))
  ;; gemm4: one 4-column panel of C (4·np × 4) = op(A) · op(B) for a last panel that has
  ;; at most 4 real columns (n_p = 20 is two 8-column panels and this one): the same
  ;; sums as gemm's, in the same order, on half the work of a padded 8-column panel.
  ;; Strides as gemm's; $b and $c point at the panel's first column.
  (func (export "gemm4")
    (param $a i32) (param $aI i32) (param $aT i32) (param $aK i32)
    (param $b i32) (param $bK i32) (param $c i32) (param $ldc i32) (param $np i32) (param $k i32)
    (local $ib i32) (local $n i32) (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32) (local $pb i32) (local $o i32)
    (local $b0 v128) (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (if (i32.or (i32.eqz (local.get $k)) (i32.eqz (local.get $np))) (then (return)))
    (local.set $ib (i32.const 0))
    (loop $rows
      (local.set $p0 (i32.add (local.get $a) (i32.mul (local.get $ib) (local.get $aI))))
      (local.set $p1 (i32.add (local.get $p0) (local.get $aT)))
      (local.set $p2 (i32.add (local.get $p1) (local.get $aT)))
      (local.set $p3 (i32.add (local.get $p2) (local.get $aT)))
      (local.set $pb (local.get $b))
      (local.set $n (local.get $k))
      (local.set $c0 (v128.const i32x4 0 0 0 0)) (local.set $c1 (v128.const i32x4 0 0 0 0))
      (local.set $c2 (v128.const i32x4 0 0 0 0)) (local.set $c3 (v128.const i32x4 0 0 0 0))
      (loop $kk
        (local.set $b0 (v128.load (local.get $pb)))
        (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (v128.load32_splat (local.get $p0)) (local.get $b0))))
        (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (v128.load32_splat (local.get $p1)) (local.get $b0))))
        (local.set $c2 (f32x4.add (local.get $c2) (f32x4.mul (v128.load32_splat (local.get $p2)) (local.get $b0))))
        (local.set $c3 (f32x4.add (local.get $c3) (f32x4.mul (v128.load32_splat (local.get $p3)) (local.get $b0))))
        (local.set $p0 (i32.add (local.get $p0) (local.get $aK)))
        (local.set $p1 (i32.add (local.get $p1) (local.get $aK)))
        (local.set $p2 (i32.add (local.get $p2) (local.get $aK)))
        (local.set $p3 (i32.add (local.get $p3) (local.get $aK)))
        (local.set $pb (i32.add (local.get $pb) (local.get $bK)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br_if $kk (local.get $n)))
      (local.set $o (i32.add (local.get $c) (i32.mul (i32.shl (local.get $ib) (i32.const 2)) (local.get $ldc))))
      (v128.store (local.get $o) (local.get $c0))
      (local.set $o (i32.add (local.get $o) (local.get $ldc)))
      (v128.store (local.get $o) (local.get $c1))
      (local.set $o (i32.add (local.get $o) (local.get $ldc)))
      (v128.store (local.get $o) (local.get $c2))
      (local.set $o (i32.add (local.get $o) (local.get $ldc)))
      (v128.store (local.get $o) (local.get $c3))
      (local.set $ib (i32.add (local.get $ib) (i32.const 1)))
      (br_if $rows (i32.lt_u (local.get $ib) (local.get $np)))))
  ;; Epilogues on the padded C block (n floats, n a multiple of 4), in place.
  ;; relu_bias: C[i, j] = max(C[i, j] + bias[j], 0) over rows of `cols` floats (bias padded to cols).
  (func (export "relu_bias") (param $c i32) (param $bias i32) (param $rows i32) (param $cols i32)
    (local $p i32) (local $q i32) (local $end i32) (local $r i32)
    (if (i32.or (i32.eqz (local.get $rows)) (i32.eqz (local.get $cols))) (then (return)))
    (local.set $p (local.get $c))
    (local.set $r (local.get $rows))
    (loop $row
      (local.set $q (local.get $bias))
      (local.set $end (i32.add (local.get $p) (i32.shl (local.get $cols) (i32.const 2))))
      (loop $v
        (v128.store (local.get $p)
          (f32x4.max (f32x4.add (v128.load (local.get $p)) (v128.load (local.get $q))) (v128.const i32x4 0 0 0 0)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (br_if $v (i32.lt_u (local.get $p) (local.get $end))))
      (local.set $r (i32.sub (local.get $r) (i32.const 1)))
      (br_if $row (local.get $r))))
  ;; mask_add: C[i] = Z[i] > 0 ? C[i] + l1 : 0 for n floats (Z laid out as C).
  (func (export "mask_add") (param $c i32) (param $z i32) (param $n i32) (param $l1 f32)
    (local $p i32) (local $q i32) (local $end i32) (local $l v128)
    (if (i32.eqz (local.get $n)) (then (return)))
    (local.set $l (f32x4.splat (local.get $l1)))
    (local.set $p (local.get $c))
    (local.set $q (local.get $z))
    (local.set $end (i32.add (local.get $c) (i32.shl (local.get $n) (i32.const 2))))
    (loop $v
      (v128.store (local.get $p)
        (v128.and (f32x4.add (v128.load (local.get $p)) (local.get $l))
                  (f32x4.gt (v128.load (local.get $q)) (v128.const i32x4 0 0 0 0))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (local.set $q (i32.add (local.get $q) (i32.const 16)))
      (br_if $v (i32.lt_u (local.get $p) (local.get $end)))))
  ;; csr_rows: C[b, :] = Σ_t val[t] · W[idx[t], :] over t in ptr[b] .. ptr[b+1] (i32 ptr, idx;
  ;; f32 val), for b < rows; rows of W and C are m4 f32x4 vectors. A sparse matrix times a
  ;; dense one, one row of C at a time (the batch sampler's x_p = W_p x).
  (func (export "csr_rows") (param $ptr i32) (param $idx i32) (param $val i32) (param $w i32) (param $c i32) (param $rows i32) (param $m4 i32)
    (local $b i32) (local $t i32) (local $t1 i32) (local $cb i32) (local $rowb i32) (local $u i32) (local $wr i32) (local $v v128) (local $q i32)
    (if (i32.or (i32.eqz (local.get $rows)) (i32.eqz (local.get $m4))) (then (return)))
    (local.set $rowb (i32.shl (local.get $m4) (i32.const 4)))
    (local.set $b (i32.const 0))
    (loop $row
      (local.set $cb (i32.add (local.get $c) (i32.mul (local.get $b) (local.get $rowb))))
      (local.set $u (i32.const 0))
      (loop $z
        (v128.store (i32.add (local.get $cb) (local.get $u)) (v128.const i32x4 0 0 0 0))
        (local.set $u (i32.add (local.get $u) (i32.const 16)))
        (br_if $z (i32.lt_u (local.get $u) (local.get $rowb))))
      (local.set $t (i32.load (i32.add (local.get $ptr) (i32.shl (local.get $b) (i32.const 2)))))
      (local.set $t1 (i32.load offset=4 (i32.add (local.get $ptr) (i32.shl (local.get $b) (i32.const 2)))))
      (block $done
        (loop $nz
          (br_if $done (i32.ge_u (local.get $t) (local.get $t1)))
          (local.set $v (v128.load32_splat (i32.add (local.get $val) (i32.shl (local.get $t) (i32.const 2)))))
          (local.set $wr (i32.add (local.get $w)
            (i32.mul (i32.load (i32.add (local.get $idx) (i32.shl (local.get $t) (i32.const 2)))) (local.get $rowb))))
          (local.set $u (i32.const 0))
          (loop $axpy
            (local.set $q (i32.add (local.get $cb) (local.get $u)))
            (v128.store (local.get $q)
              (f32x4.add (v128.load (local.get $q)) (f32x4.mul (local.get $v) (v128.load (i32.add (local.get $wr) (local.get $u))))))
            (local.set $u (i32.add (local.get $u) (i32.const 16)))
            (br_if $axpy (i32.lt_u (local.get $u) (local.get $rowb))))
          (local.set $t (i32.add (local.get $t) (i32.const 1)))
          (br $nz)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br_if $row (i32.lt_u (local.get $b) (local.get $rows)))))
  ;; sample_xp: a training batch x_p = x·W_pᵀ drawn in one pass (x itself is not kept), the
  ;; law and the draws of sampleXSparse (src/data/synthetic.ts) exactly: pure-rand's
  ;; xoroshiro128+ (32-bit output; state [s01, s00, s11, s10] as i32 at $st, read and
  ;; written back), and between non-zeros of the flattened rows × n sample a geometric gap
  ;; g = floor(log(1 − r/2³²)/log S), found as the largest g with thr[g] ≤ r (u32 thresholds
  ;; thr[0..gmax], computed in JS with that very expression), starting from bkt[r >> 20].
  ;; Each non-zero's value r/2³² (rounded to f32) times W row i (m4 f32x4) is added to
  ;; C row b (zeroed by the caller) in draw order: csr_rows' sums, in csr_rows' order.
  ;; $total = rows·n; returns the number of non-zeros.
  (func (export "sample_xp")
    (param $st i32) (param $thr i32) (param $bkt i32) (param $gmax i32)
    (param $total i32) (param $n i32) (param $w i32) (param $m4 i32) (param $c i32)
    (result i32)
    (local $s00 i32) (local $s01 i32) (local $s10 i32) (local $s11 i32)
    (local $a0 i32) (local $a1 i32) (local $t i32) (local $r i32) (local $g i32)
    (local $p i32) (local $rowStart i32) (local $cb i32) (local $rowb i32) (local $wr i32)
    (local $u i32) (local $q i32) (local $v v128) (local $count i32)
    (local.set $s01 (i32.load (local.get $st)))
    (local.set $s00 (i32.load offset=4 (local.get $st)))
    (local.set $s11 (i32.load offset=8 (local.get $st)))
    (local.set $s10 (i32.load offset=12 (local.get $st)))
    (local.set $rowb (i32.shl (local.get $m4) (i32.const 4)))
    (local.set $cb (local.get $c))
    ;; the first gap
      (local.set $r (i32.add (local.get $s00) (local.get $s10)))
      (local.set $a0 (i32.xor (local.get $s10) (local.get $s00)))
      (local.set $a1 (i32.xor (local.get $s11) (local.get $s01)))
      (local.set $t (local.get $s00))
      (local.set $s00 (i32.xor (i32.xor (i32.shl (local.get $t) (i32.const 24)) (i32.shr_u (local.get $s01) (i32.const 8)))
                               (i32.xor (local.get $a0) (i32.shl (local.get $a0) (i32.const 16)))))
      (local.set $s01 (i32.xor (i32.xor (i32.shl (local.get $s01) (i32.const 24)) (i32.shr_u (local.get $t) (i32.const 8)))
                               (i32.xor (local.get $a1) (i32.or (i32.shl (local.get $a1) (i32.const 16)) (i32.shr_u (local.get $a0) (i32.const 16))))))
      (local.set $s10 (i32.xor (i32.shl (local.get $a1) (i32.const 5)) (i32.shr_u (local.get $a0) (i32.const 27))))
      (local.set $s11 (i32.xor (i32.shl (local.get $a0) (i32.const 5)) (i32.shr_u (local.get $a1) (i32.const 27))))
      (local.set $g (i32.load (i32.add (local.get $bkt) (i32.shl (i32.shr_u (local.get $r) (i32.const 20)) (i32.const 2)))))
      (block $found
        (loop $up
          (br_if $found (i32.ge_u (local.get $g) (local.get $gmax)))
          (br_if $found (i32.gt_u (i32.load offset=4 (i32.add (local.get $thr) (i32.shl (local.get $g) (i32.const 2)))) (local.get $r)))
          (local.set $g (i32.add (local.get $g) (i32.const 1)))
          (br $up)))
    (local.set $p (local.get $g))
    (block $done
      (loop $nz
        (br_if $done (i32.ge_u (local.get $p) (local.get $total)))
        (block $inrow
          (loop $rows
            (br_if $inrow (i32.lt_u (local.get $p) (i32.add (local.get $rowStart) (local.get $n))))
            (local.set $rowStart (i32.add (local.get $rowStart) (local.get $n)))
            (local.set $cb (i32.add (local.get $cb) (local.get $rowb)))
            (br $rows)))
        ;; the value
      (local.set $r (i32.add (local.get $s00) (local.get $s10)))
      (local.set $a0 (i32.xor (local.get $s10) (local.get $s00)))
      (local.set $a1 (i32.xor (local.get $s11) (local.get $s01)))
      (local.set $t (local.get $s00))
      (local.set $s00 (i32.xor (i32.xor (i32.shl (local.get $t) (i32.const 24)) (i32.shr_u (local.get $s01) (i32.const 8)))
                               (i32.xor (local.get $a0) (i32.shl (local.get $a0) (i32.const 16)))))
      (local.set $s01 (i32.xor (i32.xor (i32.shl (local.get $s01) (i32.const 24)) (i32.shr_u (local.get $t) (i32.const 8)))
                               (i32.xor (local.get $a1) (i32.or (i32.shl (local.get $a1) (i32.const 16)) (i32.shr_u (local.get $a0) (i32.const 16))))))
      (local.set $s10 (i32.xor (i32.shl (local.get $a1) (i32.const 5)) (i32.shr_u (local.get $a0) (i32.const 27))))
      (local.set $s11 (i32.xor (i32.shl (local.get $a0) (i32.const 5)) (i32.shr_u (local.get $a1) (i32.const 27))))
        (local.set $v (f32x4.splat (f32.mul (f32.convert_i32_u (local.get $r)) (f32.const 0x1p-32))))
        (local.set $wr (i32.add (local.get $w) (i32.mul (i32.sub (local.get $p) (local.get $rowStart)) (local.get $rowb))))
        (local.set $u (i32.const 0))
        (loop $axpy
          (local.set $q (i32.add (local.get $cb) (local.get $u)))
          (v128.store (local.get $q)
            (f32x4.add (v128.load (local.get $q)) (f32x4.mul (local.get $v) (v128.load (i32.add (local.get $wr) (local.get $u))))))
          (local.set $u (i32.add (local.get $u) (i32.const 16)))
          (br_if $axpy (i32.lt_u (local.get $u) (local.get $rowb))))
        (local.set $count (i32.add (local.get $count) (i32.const 1)))
        ;; the next gap
      (local.set $r (i32.add (local.get $s00) (local.get $s10)))
      (local.set $a0 (i32.xor (local.get $s10) (local.get $s00)))
      (local.set $a1 (i32.xor (local.get $s11) (local.get $s01)))
      (local.set $t (local.get $s00))
      (local.set $s00 (i32.xor (i32.xor (i32.shl (local.get $t) (i32.const 24)) (i32.shr_u (local.get $s01) (i32.const 8)))
                               (i32.xor (local.get $a0) (i32.shl (local.get $a0) (i32.const 16)))))
      (local.set $s01 (i32.xor (i32.xor (i32.shl (local.get $s01) (i32.const 24)) (i32.shr_u (local.get $t) (i32.const 8)))
                               (i32.xor (local.get $a1) (i32.or (i32.shl (local.get $a1) (i32.const 16)) (i32.shr_u (local.get $a0) (i32.const 16))))))
      (local.set $s10 (i32.xor (i32.shl (local.get $a1) (i32.const 5)) (i32.shr_u (local.get $a0) (i32.const 27))))
      (local.set $s11 (i32.xor (i32.shl (local.get $a0) (i32.const 5)) (i32.shr_u (local.get $a1) (i32.const 27))))
      (local.set $g (i32.load (i32.add (local.get $bkt) (i32.shl (i32.shr_u (local.get $r) (i32.const 20)) (i32.const 2)))))
      (block $found
        (loop $up
          (br_if $found (i32.ge_u (local.get $g) (local.get $gmax)))
          (br_if $found (i32.gt_u (i32.load offset=4 (i32.add (local.get $thr) (i32.shl (local.get $g) (i32.const 2)))) (local.get $r)))
          (local.set $g (i32.add (local.get $g) (i32.const 1)))
          (br $up)))
        (local.set $p (i32.add (local.get $p) (i32.add (local.get $g) (i32.const 1))))
        (br $nz)))
    (i32.store (local.get $st) (local.get $s01))
    (i32.store offset=4 (local.get $st) (local.get $s00))
    (i32.store offset=8 (local.get $st) (local.get $s11))
    (i32.store offset=12 (local.get $st) (local.get $s10))
    (local.get $count))
)
