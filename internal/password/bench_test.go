package password

import "testing"

// BenchmarkHashDefault measures one Argon2id hash with DefaultParams.
func BenchmarkHashDefault(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Hash("correct horse battery staple", DefaultParams); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyParallelDefault measures verifications with DefaultParams
// on all GOMAXPROCS threads, the shape of a login burst.
func BenchmarkVerifyParallelDefault(b *testing.B) {
	enc, err := Hash("correct horse battery staple", DefaultParams)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if ok, _, err := Verify("correct horse battery staple", enc, DefaultParams); !ok || err != nil {
				b.Fatal("verify failed", err)
			}
		}
	})
}
