package kb

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/internal/audit/audittest"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/db/dbtest"
	"github.com/frontdesk/frontdesk/internal/textfold"
)

// BenchmarkSearch measures what GET /api/v1/kb/search does — Search with
// Limit 10, content gaps counted — on FRONTDESK_BENCH_ARTICLES articles
// (default 50,000, the size of the target: p95 ≤ 30 ms on both databases),
// each with an English, a Vietnamese and a Chinese translation, and reports
// p50 and p95 per kind of query.
// Run: FRONTDESK_BENCH_ARTICLES=50000 go test ./internal/kb -run '^$' -bench Search -benchtime 1x -timeout 90m
func BenchmarkSearch(b *testing.B) {
	n := 50_000
	if v, err := strconv.Atoi(os.Getenv("FRONTDESK_BENCH_ARTICLES")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	d := dbtest.Open(b)
	kit := audittest.New(b, d, 1_000_000)
	s := New(d, kit.Log, nil)
	c := newBenchCorpus(rand.New(rand.NewPCG(7, 50_000)))
	start := time.Now()
	viaSave, saveTime := c.seed(ctx, b, s, n)
	b.Logf("%s: seeded %d articles (%d translations) in %s; the first %d translations through Save took %s (%.0f/s), the rest went in transactions of %d",
		d.Dialect(), n, n*len(Locales), time.Since(start).Round(time.Second), viaSave, saveTime.Round(time.Millisecond),
		float64(viaSave)/saveTime.Seconds(), benchBatch*len(Locales))
	if d.Dialect() == db.Postgres {
		// A table loaded at once has neither statistics nor a visibility
		// map, and its GIN index keeps new entries in a pending list, until
		// autovacuum runs; a live one has all three.
		start = time.Now()
		for _, t := range []string{"kb_articles", "kb_translations", "kb_vocab"} {
			if err := d.Maintain(ctx, "VACUUM ANALYZE "+t); err != nil {
				b.Fatal(err)
			}
		}
		b.Logf("postgres: VACUUM ANALYZE in %s", time.Since(start).Round(time.Second))
	}
	b.Logf("%s: database size %d MiB, vocabulary %d terms", d.Dialect(), benchSize(ctx, b, d)>>20, benchCount(ctx, b, d, "SELECT COUNT(*) FROM kb_vocab"))
	cases := c.cases(ctx, b, d)
	for _, k := range cases {
		for _, q := range k.queries[:20] { // warm the caches as a running server's are
			if _, err := s.Search(ctx, q, SearchOptions{Locale: k.locale, Limit: 10}); err != nil {
				b.Fatal(err)
			}
		}
	}
	if unlock := dbtest.BenchLock(b); unlock != nil {
		defer unlock()
	}
	b.ResetTimer()
	for range b.N {
		b.Logf("load average at start: %s", benchLoad())
		for _, k := range cases {
			var lat []time.Duration
			found, corrected := 0, 0
			for _, q := range k.queries {
				t0 := time.Now()
				res, err := s.Search(ctx, q, SearchOptions{Locale: k.locale, Limit: 10})
				lat = append(lat, time.Since(t0))
				if err != nil {
					b.Fatalf("%s %q: %v", k.name, q, err)
				}
				if len(res.Hits) > 0 {
					found++
				}
				if len(res.Corrected) > 0 {
					corrected++
				}
				if k.want > 0 && len(res.Hits) < k.want {
					b.Fatalf("%s %q: %d hits, want at least %d", k.name, q, len(res.Hits), k.want)
				}
			}
			slices.Sort(lat)
			// Nearest rank: the smallest latency at or above p of the runs.
			p50, p95 := lat[(len(lat)*50+99)/100-1], lat[(len(lat)*95+99)/100-1]
			b.ReportMetric(float64(p50.Microseconds())/1000, k.name+"_p50_ms")
			b.ReportMetric(float64(p95.Microseconds())/1000, k.name+"_p95_ms")
			b.Logf("%s %-7s p50 %6.2f ms  p95 %6.2f ms  max %6.2f ms  (%d searches, %d found something, %d corrected; e.g. %q)",
				d.Dialect(), k.name, ms(p50), ms(p95), ms(lat[len(lat)-1]), len(lat), found, corrected, k.queries[0])
		}
		b.Logf("load average at end: %s", benchLoad())
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// benchBatch articles (three translations each) go in one transaction.
const benchBatch = 167

// benchSave articles go through Save, the rest through seedBatch.
const benchSave = 100

// seed writes n articles: the first through Save, to time it, the others
// in batches through the same private functions Save calls (render,
// saveTranslation and so vocab), so the stored terms, the FTS5 table or
// tsvector, and the vocabulary are exactly Save's. Left out for them: the
// revision, the audit entry and the read-back, which search never reads.
// Generating and rendering the next batch overlaps writing this one.
func (c *benchCorpus) seed(ctx context.Context, b *testing.B, s *Service, n int) (viaSave int, took time.Duration) {
	t0 := time.Now()
	for i := range min(benchSave, n) {
		a := c.article(i)
		for j, tr := range a.tr {
			in := tr.in
			if j == 0 {
				in.Slug, in.Status = a.slug, a.status
			} else {
				in.ID = a.id
			}
			got, err := s.Save(ctx, in)
			if err != nil {
				b.Fatal(err)
			}
			a.id = got.ID
			viaSave++
		}
	}
	took = time.Since(t0)
	batches := make(chan []benchArticle, 2)
	go func() {
		defer close(batches)
		for i := benchSave; i < n; i += benchBatch {
			var batch []benchArticle
			for j := i; j < min(i+benchBatch, n); j++ {
				batch = append(batch, c.article(j))
			}
			batches <- batch
		}
	}()
	for batch := range batches {
		if err := s.db.Write(ctx, func(tx *db.Tx) error { return s.seedBatch(ctx, tx, batch) }); err != nil {
			b.Fatal(err)
		}
	}
	return viaSave, took
}

func (s *Service) seedBatch(ctx context.Context, tx *db.Tx, batch []benchArticle) error {
	for _, a := range batch {
		a.id = newID()
		if _, err := tx.Exec(ctx, `INSERT INTO kb_articles (id, slug, status, author_id, created_at, updated_at) VALUES (?, ?, ?, 'bench', ?, ?)`,
			a.id, a.slug, a.status, tx.Now(), tx.Now()); err != nil {
			return err
		}
		for _, tr := range a.tr {
			tr.in.ID = a.id
			if err := s.saveTranslation(ctx, tx, tr.in, tr.html, tr.plain); err != nil {
				return err
			}
		}
	}
	return nil
}

type benchArticle struct {
	id, slug, status string
	tr               []benchTranslation
}

type benchTranslation struct {
	in          Input
	html, plain string
}

// concept is something articles talk about, in each language.
type concept struct {
	en, vi, zh string
	form       string  // an English word form of en, for queries
	p          float64 // the share of articles that mention it
}

// Very common concepts: each in about 20% of articles, some (those the
// relevance tests search for) at their own rates.
var commonConcepts = []concept{
	{"password", "mật khẩu", "密码", "passwords", 0.10}, {"reset", "đặt lại", "重置", "resetting", 0.06},
	{"sign in", "đăng nhập", "登录", "", 0.15}, {"account", "tài khoản", "账户", "accounts", 0.2},
	{"email", "thư điện tử", "邮箱", "emails", 0.2}, {"phone", "điện thoại", "手机", "phones", 0.2},
	{"payment", "thanh toán", "支付", "payments", 0.2}, {"order", "đơn hàng", "订单", "ordering", 0.2},
	{"refund", "hoàn tiền", "退款", "refunds", 0.2}, {"delivery", "giao hàng", "配送", "deliveries", 0.2},
	{"address", "địa chỉ", "地址", "addresses", 0.2}, {"settings", "cài đặt", "设置", "setting", 0.2},
	{"notification", "thông báo", "通知", "notifications", 0.2}, {"security", "bảo mật", "安全", "secure", 0.2},
	{"verify", "xác minh", "验证", "verifying", 0.2}, {"code", "mã xác nhận", "验证码", "codes", 0.2},
	{"message", "tin nhắn", "消息", "messages", 0.2}, {"support", "hỗ trợ", "支持", "supported", 0.2},
	{"update", "cập nhật", "更新", "updating", 0.2}, {"change", "thay đổi", "更改", "changing", 0.2},
	{"card", "thẻ", "银行卡", "cards", 0.2}, {"profile", "hồ sơ", "资料", "profiles", 0.2},
	{"app", "ứng dụng", "应用", "apps", 0.2}, {"device", "thiết bị", "设备", "devices", 0.2},
	{"error", "lỗi", "错误", "errors", 0.2}, {"problem", "vấn đề", "问题", "problems", 0.2},
	{"subscription", "gói đăng ký", "订阅", "subscriptions", 0.2}, {"invoice", "hóa đơn", "发票", "invoices", 0.2},
	{"register", "đăng ký", "注册", "registering", 0.2}, {"delete", "xóa", "删除", "deleting", 0.2},
	{"download", "tải xuống", "下载", "downloads", 0.2}, {"customer", "khách hàng", "客户", "customers", 0.2},
	{"service", "dịch vụ", "服务", "services", 0.2}, {"information", "thông tin", "信息", "informations", 0.2},
	{"confirm", "xác nhận", "确认", "confirming", 0.2}, {"cancel", "hủy", "取消", "cancelling", 0.2},
	{"balance", "số dư", "余额", "balances", 0.2}, {"transfer", "chuyển khoản", "转账", "transfers", 0.2},
	{"wallet", "ví điện tử", "钱包", "wallets", 0.2}, {"locked", "bị khóa", "锁定", "locking", 0.2},
	{"history", "lịch sử", "历史", "histories", 0.2}, {"contact", "liên hệ", "联系", "contacting", 0.2},
}

// Words and syllables every text is mostly made of.
var (
	enFiller = strings.Fields(`the a an to you your and of in is it for on with this that can be if or from will not we are as at have by
		do when then after how what which there more all new use need see make sure first select open enter page button link click tap
		again before here only also any other some time help same one two go back get find`)
	viSyllables = strings.Fields(`anh ba bán bạn bảo bắt bên bị biết bước cách cài cảm cần cấp chỉ chính cho chọn chủ chúng chuyển có con công
		cũng của cửa dân dễ dịch dụng dùng đã đang đặt đây để đến điểm điện định đó đổi đơn đúng được gì gia giá giải giao giờ gửi hàng hạn
		hành hệ hết hiện hình hỏi học hơn hướng hợp kết khác khách khi không kiểm làm lại lần lên liên lòng lỗi luôn lưu lý mà mạng mất mới
		một mục năm nào này nên người nhà nhận nhanh nhất nhiều như nhưng những nói nội nơi nước phải phần phí phiên phương quá quan quản
		quyền ra riêng rồi sản sau sẽ số sử tại tạo tắt tên thấy thể thêm theo thì thiết thời thông thứ thực tiền tiếp tìm tin toàn tới
		trả trang trên trong trước trường từ tự văn vẫn vào về việc viên với vừa xác xem xin xử yêu đầu đủ độ động đồng đường đăng đọc`)
	viFiller = strings.Fields(`bạn của và là các có để được trong cho khi này với một những không thì sẽ đã nếu hoặc vào trên từ theo hãy
		rồi lại ra đến chúng tôi vui lòng bấm sau đó`)
	zhChars = []rune(`的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之
		进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或
		但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期
		根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花
		带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断
		深难近千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住
		调满县局照参红细引听该铁价严龙飞`)
)

// benchCorpus makes articles whose words have the document frequencies
// of a help centre's: function words in nearly all, commonConcepts in
// about 20%, 2,000 medium concepts in 1% each, 20,000 rare ones
// (product names, error codes) in 0.01% each.
type benchCorpus struct {
	rng            *rand.Rand
	zh             *rand.Zipf
	medium, rare   []concept
	rareUsed       []bool // in a published article
	zhCharsNoSpace []rune
}

func newBenchCorpus(rng *rand.Rand) *benchCorpus {
	c := &benchCorpus{rng: rng}
	for _, r := range zhChars {
		if r > ' ' {
			c.zhCharsNoSpace = append(c.zhCharsNoSpace, r)
		}
	}
	c.zh = rand.NewZipf(rng, 1.1, 2, uint64(len(c.zhCharsNoSpace)-1))
	seen := map[string]bool{}
	for _, w := range enFiller {
		seen[w] = true
	}
	for _, k := range commonConcepts {
		seen[k.en] = true
	}
	word := func() string {
		// English-looking made-up words, so that their trigrams overlap
		// as a real vocabulary's do.
		on := strings.Fields("b c d f g h k l m n p r s t v w br cr dr fr gr pl pr st tr sh ch th sl sp")
		vo := strings.Fields("a e i o u ai ea ou oo io")
		co := append(strings.Fields("n r l s t m nd st ck rt x"), "")
		for {
			var w strings.Builder
			for range 2 + rng.IntN(2) {
				w.WriteString(on[rng.IntN(len(on))] + vo[rng.IntN(len(vo))] + co[rng.IntN(len(co))])
			}
			if !seen[w.String()] {
				seen[w.String()] = true
				return w.String()
			}
		}
	}
	concepts := func(n int, p float64) []concept {
		out := make([]concept, n)
		for i := range out {
			out[i] = concept{en: word(), vi: c.viWord(2 + rng.IntN(2)), zh: c.zhWord(2), p: p}
		}
		return out
	}
	c.medium, c.rare = concepts(2_000, 0.01), concepts(20_000, 0.0001)
	c.rareUsed = make([]bool, len(c.rare))
	return c
}

func (c *benchCorpus) viWord(n int) string {
	var w []string
	for range n {
		w = append(w, viSyllables[c.rng.IntN(len(viSyllables))])
	}
	return strings.Join(w, " ")
}

func (c *benchCorpus) zhWord(n int) string {
	var w []rune
	for range n {
		w = append(w, c.zhCharsNoSpace[c.zh.Uint64()])
	}
	return string(w)
}

// article makes article i: its concepts, then a text in each language.
func (c *benchCorpus) article(i int) benchArticle {
	r := c.rng
	a := benchArticle{slug: fmt.Sprintf("article-%07d", i), status: StatusPublished}
	switch x := r.IntN(20); x { // 90% published
	case 0:
		a.status = StatusDraft
	case 1:
		a.status = StatusArchived
	}
	var picked []concept
	for _, k := range commonConcepts {
		if r.Float64() < k.p {
			picked = append(picked, k)
		}
	}
	for range 15 + r.IntN(11) { // 20 on average: each medium concept in 1%
		picked = append(picked, c.medium[r.IntN(len(c.medium))])
	}
	for range 1 + r.IntN(3) { // 2 on average: each rare concept in 0.01%
		j := r.IntN(len(c.rare))
		picked = append(picked, c.rare[j])
		c.rareUsed[j] = c.rareUsed[j] || a.status == StatusPublished
	}
	r.Shuffle(len(picked), func(i, j int) { picked[i], picked[j] = picked[j], picked[i] })
	for _, loc := range Locales {
		title, body := c.text(loc, picked)
		html, plain, err := render(body)
		if err != nil {
			panic(err)
		}
		a.tr = append(a.tr, benchTranslation{in: Input{Locale: loc, Title: title, BodyMD: body, AuthorID: "bench"}, html: html, plain: plain})
	}
	return a
}

// text writes a title (3 to 10 words; 6 to 20 characters in Chinese) and
// a Markdown body (150 to 600 words; 200 to 800 characters in Chinese) in
// paragraphs, sometimes with numbered steps and bold words.
func (c *benchCorpus) text(loc string, picked []concept) (title, body string) {
	r := c.rng
	term := func(k concept) string {
		switch loc {
		case "vi":
			return k.vi
		case "zh":
			return k.zh
		}
		return k.en
	}
	filler := func() string {
		switch loc {
		case "vi":
			if r.IntN(2) == 0 {
				return viFiller[r.IntN(len(viFiller))]
			}
			return viSyllables[r.IntN(len(viSyllables))]
		case "zh":
			return c.zhWord(1 + r.IntN(2))
		}
		return enFiller[r.IntN(len(enFiller))]
	}
	sep, stop, size := " ", ".", utf8.RuneCountInString
	if loc != "zh" {
		size = func(string) int { return 1 }
	} else {
		sep, stop = "", "。"
	}
	words, length := []string{term(picked[0])}, size(term(picked[0]))
	if len(picked) > 1 && r.IntN(2) == 0 {
		words = append(words, term(picked[1]))
		length += size(term(picked[1]))
	}
	lo, hi := 3, 10
	if loc == "zh" {
		lo, hi = 6, 20
	}
	for want := lo + r.IntN(hi-lo+1); length < want; {
		w := filler()
		words = slices.Insert(words, r.IntN(len(words)+1), w)
		length += size(w)
	}
	title = capital(strings.Join(words, sep))
	lo, hi = 150, 600
	if loc == "zh" {
		lo, hi = 200, 800
	}
	// Every concept once, then filler and concepts again, shuffled.
	var tokens []string
	length = 0
	for _, k := range picked {
		tokens = append(tokens, term(k))
		length += size(term(k))
	}
	for want := lo + r.IntN(hi-lo+1); length < want; {
		w := filler()
		if r.IntN(10) < 3 {
			w = term(picked[r.IntN(len(picked))])
		}
		tokens = append(tokens, w)
		length += size(w)
	}
	r.Shuffle(len(tokens), func(i, j int) { tokens[i], tokens[j] = tokens[j], tokens[i] })
	var b strings.Builder
	for len(tokens) > 0 {
		steps := r.IntN(4) == 0
		for s := range 2 + r.IntN(3) {
			k := min(len(tokens), 6+r.IntN(12))
			sentence := slices.Clone(tokens[:k])
			tokens = tokens[k:]
			if r.IntN(4) == 0 {
				j := r.IntN(len(sentence))
				sentence[j] = "**" + sentence[j] + "**"
			}
			line := capital(strings.Join(sentence, sep) + stop)
			if steps {
				fmt.Fprintf(&b, "%d. %s\n", s+1, line)
			} else {
				b.WriteString(line + sep)
			}
			if len(tokens) == 0 {
				break
			}
		}
		b.WriteString("\n\n")
	}
	return title, b.String()
}

type benchCase struct {
	name, locale string
	queries      []string
	want         int // hits each query must find, at least
}

// cases makes 300 queries of each kind.
func (c *benchCorpus) cases(ctx context.Context, b *testing.B, d *db.DB) []benchCase {
	r := rand.New(rand.NewPCG(8, 300))
	var used []concept
	for i, k := range c.rare {
		if c.rareUsed[i] {
			used = append(used, k)
		}
	}
	var forms, twoSyllables, zhWords []concept
	for _, k := range commonConcepts {
		if k.form != "" {
			forms = append(forms, k)
		}
		if len(strings.Fields(k.vi)) == 2 {
			twoSyllables = append(twoSyllables, k)
		}
		if utf8.RuneCountInString(k.zh) == 2 {
			zhWords = append(zhWords, k)
		}
	}
	pick := func(list []concept) concept { return list[r.IntN(len(list))] }
	known := func(w string) bool {
		var one int
		err := d.Read(ctx, func(tx *db.Tx) error {
			return tx.QueryRow(ctx, "SELECT 1 FROM kb_vocab WHERE term = ?", stem(w)).Scan(&one)
		})
		return err == nil
	}
	typo := func() string {
		for {
			w := []byte(pick(forms).en)
			if len(w) < 5 {
				continue
			}
			i := 1 + r.IntN(len(w)-2)
			switch r.IntN(3) {
			case 0: // a letter left out
				w = slices.Delete(w, i, i+1)
			case 1: // two letters swapped
				w[i], w[i+1] = w[i+1], w[i]
			default: // a letter doubled
				w = slices.Insert(w, i, w[i])
			}
			if !known(string(w)) {
				return string(w)
			}
		}
	}
	kinds := []struct {
		name, locale string
		want         int
		query        func() string
	}{
		{"common", "en", 10, func() string { return pick(forms).en }},
		{"forms", "en", 1, func() string {
			x, y := pick(forms), pick(forms)
			for y.en == x.en {
				y = pick(forms)
			}
			return x.form + " " + y.form
		}},
		{"rare", "en", 1, func() string { return pick(used).en }},
		{"vi", "vi", 10, func() string { return textfold.Fold(pick(twoSyllables).vi) }}, // typed without diacritics
		{"zh2", "zh", 10, func() string { return pick(zhWords).zh }},
		{"zh1", "zh", 10, func() string { return string([]rune(pick(zhWords).zh)[r.IntN(2)]) }},
		{"typo", "en", 0, typo},
		{"none", "en", 0, func() string { return pick(used).en + " " + pick(used).en }},
	}
	var out []benchCase
	for _, k := range kinds {
		bc := benchCase{name: k.name, locale: k.locale, want: k.want}
		for range 300 {
			bc.queries = append(bc.queries, k.query())
		}
		out = append(out, bc)
	}
	return out
}

func capital(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

func benchCount(ctx context.Context, b *testing.B, d *db.DB, q string) int64 {
	var n int64
	if err := d.Read(ctx, func(tx *db.Tx) error { return tx.QueryRow(ctx, q).Scan(&n) }); err != nil {
		b.Fatal(err)
	}
	return n
}

func benchSize(ctx context.Context, b *testing.B, d *db.DB) int64 {
	if d.Dialect() == db.Postgres {
		return benchCount(ctx, b, d, "SELECT pg_database_size(current_database())")
	}
	return benchCount(ctx, b, d, "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")
}

func benchLoad() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}
