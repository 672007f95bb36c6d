package privacy

import (
	"archive/zip"
	"fmt"
	"io"
	"sort"

	pd "github.com/frontdesk/frontdesk/internal/personaldata"
)

// readmeText is the README of an export, per language: what the folders
// hold and how to read them.
var readmeText = map[string]struct{ intro, folders, tables string }{
	"en": {
		intro: "This is a copy of the personal data we hold about you, as you asked.\n\n" +
			"Each table of our records is here twice: as JSON (data/<category>/<table>.json) and as CSV " +
			"(data/<category>/<table>.csv), which a spreadsheet opens. Files you sent us, and recordings of " +
			"remote-assistance sessions (JSON Lines, gzip-compressed), are under files/. Password hashes and " +
			"security secrets are left out on purpose: they protect your account and are of no use outside it.\n\n" +
			"Keep this file safe: anyone who has it can read it.\n",
		folders: "The folders, by kind of data:\n",
		tables:  "What each table is for:\n",
	},
	"vi": {
		intro: "Đây là bản sao dữ liệu cá nhân của bạn mà chúng tôi đang lưu giữ, theo yêu cầu của bạn.\n\n" +
			"Mỗi bảng dữ liệu có hai dạng: JSON (data/<loại>/<bảng>.json) và CSV (data/<loại>/<bảng>.csv) " +
			"để mở bằng bảng tính. Các tệp bạn đã gửi cho chúng tôi và bản ghi các phiên hỗ trợ từ xa " +
			"(JSON Lines, nén gzip) nằm trong thư mục files/. Mã băm mật khẩu và các bí mật bảo mật được " +
			"cố ý bỏ ra: chúng bảo vệ tài khoản của bạn và không có ích bên ngoài tài khoản.\n\n" +
			"Hãy giữ tệp này cẩn thận: ai có tệp đều đọc được nội dung.\n",
		folders: "Các thư mục, theo loại dữ liệu:\n",
		tables:  "Mục đích của từng bảng:\n",
	},
	"zh": {
		intro: "这是应您的要求提供的、我们保存的您的个人数据副本。\n\n" +
			"每个数据表都有两种格式：JSON（data/<类别>/<表>.json）和可用电子表格打开的 CSV" +
			"（data/<类别>/<表>.csv）。您发给我们的文件以及远程协助会话的录制（JSON Lines，gzip 压缩）" +
			"位于 files/ 目录。密码哈希和安全密钥被有意排除：它们用于保护您的账户，在账户之外没有用处。\n\n" +
			"请妥善保管此文件：任何拿到它的人都能读取其中内容。\n",
		folders: "按数据类型划分的目录：\n",
		tables:  "各数据表的用途：\n",
	},
}

// categoryNames name the folders in each language.
var categoryNames = map[string]map[pd.Category]string{
	"en": {pd.Contact: "contact details", pd.Identity: "who you are", pd.Content: "what you wrote to us",
		pd.Recording: "remote-assistance recordings", pd.Device: "devices and addresses", pd.Payment: "payments",
		pd.SecurityLog: "security and sign-in records"},
	"vi": {pd.Contact: "thông tin liên hệ", pd.Identity: "thông tin nhận dạng", pd.Content: "nội dung bạn đã gửi",
		pd.Recording: "bản ghi hỗ trợ từ xa", pd.Device: "thiết bị và địa chỉ", pd.Payment: "thanh toán",
		pd.SecurityLog: "nhật ký bảo mật và đăng nhập"},
	"zh": {pd.Contact: "联系方式", pd.Identity: "身份信息", pd.Content: "您写给我们的内容", pd.Recording: "远程协助录制",
		pd.Device: "设备和地址", pd.Payment: "付款", pd.SecurityLog: "安全与登录记录"},
}

// writeReadme writes README.txt in the customer's language (English when
// the language is not one of ours).
func writeReadme(zw *zip.Writer, locale string, r *Registry) error {
	t, ok := readmeText[locale]
	if !ok {
		locale, t = "en", readmeText["en"]
	}
	w, err := zw.Create("README.txt")
	if err != nil {
		return err
	}
	io.WriteString(w, t.intro+"\n"+t.folders)
	for _, c := range pd.Categories {
		if name, ok := categoryNames[locale][c]; ok {
			fmt.Fprintf(w, "  data/%s/  %s\n", c, name)
		}
	}
	io.WriteString(w, "\n"+t.tables)
	var lines []string
	for _, d := range r.Personal() {
		lines = append(lines, fmt.Sprintf("  %s/%s: %s", categoryOf(d.Table), d.Name, d.Purpose))
	}
	sort.Strings(lines)
	for _, l := range lines {
		io.WriteString(w, l+"\n")
	}
	return nil
}
