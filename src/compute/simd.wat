;; SIMD matrix product for the `wasm` backend (src/compute/wasm.ts). Assembled into
;; simd.wasm by `npm run build:wasm` (scripts/build-wasm.ts, wabt); both are committed.
;;
;; gemm: C (4·np × 8·nq, row-major) = Σ_kk Ap[ib][kk][0..3] ⊗ Bp[jb][kk][0..7]
;;   Ap: np panels of 4 rows of op(A), k × 4 floats each, contiguous ("packed");
;;   Bp: nq panels of 8 columns of op(B), k × 8 floats each.
;; Packing (and every transpose) happens in JS, so one kernel serves all four
;; transpose combinations and reads memory strictly sequentially. The 4×8 tile keeps
;; eight f32x4 accumulators plus three operands in registers: per kk it does two
;; B loads, four splat loads of A, and 32 multiply-adds (no FMA in Node 20's wasm).
;; A panels are visited in cache blocks of `chunk` panels, so the block of A stays in
;; L2 while every B panel streams past it.
(module
  (memory (export "memory") 1)
  (func (export "gemm")
    (param $ap i32) (param $bp i32) (param $c i32) (param $np i32) (param $k i32) (param $nq i32) (param $chunk i32)
    (local $i0 i32) (local $i1 i32) (local $ib i32) (local $jb i32)
    (local $pa i32) (local $pb i32) (local $end i32) (local $o i32)
    (local $ka i32) (local $kb i32) (local $rowb i32)
    (local $x v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $ka (i32.shl (local.get $k) (i32.const 4)))
    (local.set $kb (i32.shl (local.get $k) (i32.const 5)))
    (local.set $rowb (i32.shl (local.get $nq) (i32.const 5)))
    (local.set $i0 (i32.const 0))
    (loop $chunks
      (local.set $i1 (i32.add (local.get $i0) (local.get $chunk)))
      (if (i32.gt_u (local.get $i1) (local.get $np)) (then (local.set $i1 (local.get $np))))
      (local.set $jb (i32.const 0))
      (loop $cols
        (local.set $ib (local.get $i0))
        (loop $rows
          (local.set $pa (i32.add (local.get $ap) (i32.mul (local.get $ib) (local.get $ka))))
          (local.set $pb (i32.add (local.get $bp) (i32.mul (local.get $jb) (local.get $kb))))
          (local.set $end (i32.add (local.get $pb) (local.get $kb)))
          (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c01 (v128.const i32x4 0 0 0 0))
          (local.set $c10 (v128.const i32x4 0 0 0 0)) (local.set $c11 (v128.const i32x4 0 0 0 0))
          (local.set $c20 (v128.const i32x4 0 0 0 0)) (local.set $c21 (v128.const i32x4 0 0 0 0))
          (local.set $c30 (v128.const i32x4 0 0 0 0)) (local.set $c31 (v128.const i32x4 0 0 0 0))
          (loop $kk
            (local.set $b0 (v128.load (local.get $pb)))
            (local.set $b1 (v128.load offset=16 (local.get $pb)))
            (local.set $x (v128.load32_splat (local.get $pa)))
            (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $b0))))
            (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (local.get $b1))))
            (local.set $x (v128.load32_splat offset=4 (local.get $pa)))
            (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x) (local.get $b0))))
            (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x) (local.get $b1))))
            (local.set $x (v128.load32_splat offset=8 (local.get $pa)))
            (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $x) (local.get $b0))))
            (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $x) (local.get $b1))))
            (local.set $x (v128.load32_splat offset=12 (local.get $pa)))
            (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $x) (local.get $b0))))
            (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $x) (local.get $b1))))
            (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
            (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
            (br_if $kk (i32.lt_u (local.get $pb) (local.get $end))))
          ;; the tile's four rows of C
          (local.set $o (i32.add (local.get $c)
            (i32.add (i32.mul (i32.shl (local.get $ib) (i32.const 2)) (local.get $rowb)) (i32.shl (local.get $jb) (i32.const 5)))))
          (v128.store (local.get $o) (local.get $c00)) (v128.store offset=16 (local.get $o) (local.get $c01))
          (local.set $o (i32.add (local.get $o) (local.get $rowb)))
          (v128.store (local.get $o) (local.get $c10)) (v128.store offset=16 (local.get $o) (local.get $c11))
          (local.set $o (i32.add (local.get $o) (local.get $rowb)))
          (v128.store (local.get $o) (local.get $c20)) (v128.store offset=16 (local.get $o) (local.get $c21))
          (local.set $o (i32.add (local.get $o) (local.get $rowb)))
          (v128.store (local.get $o) (local.get $c30)) (v128.store offset=16 (local.get $o) (local.get $c31))
          (local.set $ib (i32.add (local.get $ib) (i32.const 1)))
          (br_if $rows (i32.lt_u (local.get $ib) (local.get $i1))))
        (local.set $jb (i32.add (local.get $jb) (i32.const 1)))
        (br_if $cols (i32.lt_u (local.get $jb) (local.get $nq))))
      (local.set $i0 (local.get $i1))
      (br_if $chunks (i32.lt_u (local.get $i0) (local.get $np))))))
