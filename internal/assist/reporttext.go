package assist

import "strings"

// reportTexts are the report's words in one language.
type reportTexts struct {
	title, agent, verified, when, levels, actions, refused string
	recorded, notRecorded, outcome, summary, noSummary     string
	steps                                                  string
	levelNames, reasons, outcomes                          map[string]string
}

func (t reportTexts) level(l string) string       { return pick(t.levelNames, l) }
func (t reportTexts) reason(r string) string      { return pick(t.reasons, r) }
func (t reportTexts) outcomeName(o string) string { return pick(t.outcomes, o) }
func pick(m map[string]string, k string) string {
	if v, ok := m[k]; ok {
		return v
	}
	return k
}

func reportText(lang string) reportTexts {
	switch {
	case strings.HasPrefix(lang, "vi"):
		return reportTexts{
			title:    "Báo cáo hỗ trợ từ xa",
			agent:    "Nhân viên: %s, mã số %s, %s",
			verified: "Thẻ nhân viên do máy chủ ký và đã được xác minh; mã xác minh hiển thị ở cả hai phía trước khi đồng ý",
			when:     "Bắt đầu %s, kết thúc %s UTC (%s); %s",
			levels:   "Quyền: ", actions: "Thao tác của nhân viên: %d (%s)", refused: "Bị từ chối: %d (%s)",
			recorded: "Phiên được ghi lại và lưu %d ngày", notRecorded: "Phiên không được ghi lại",
			outcome: "Kết quả: ", summary: "Tóm tắt: ", noSummary: "Nhân viên chưa ghi tóm tắt.",
			steps:      "Khách hàng đã ghi lại các bước của mình (%s). Nhân viên có quyền xem lại có thể xem trong bảng điều khiển.",
			levelNames: map[string]string{LevelView: "chỉ xem", LevelGuided: "hướng dẫn", LevelControl: "điều khiển"},
			reasons: map[string]string{EndCustomer: "khách hàng đã dừng", EndAgent: "nhân viên đã dừng", EndMaxDuration: "hết thời lượng tối đa",
				EndIdle: "không hoạt động", EndDeclined: "khách hàng từ chối", EndWithdrawn: "nhân viên đã hủy lời mời", EndExpired: "lời mời hết hạn"},
			outcomes: map[string]string{OutcomeResolved: "đã giải quyết", OutcomeNotResolved: "chưa giải quyết", OutcomeFollowUp: "cần theo dõi thêm"},
		}
	case strings.HasPrefix(lang, "zh"):
		return reportTexts{
			title:    "远程协助报告",
			agent:    "客服:%s,工号 %s,%s",
			verified: "身份卡由服务器签名并已验证;同意前双方均显示了验证码",
			when:     "开始 %s,结束 %s UTC(%s);%s",
			levels:   "权限:", actions: "客服操作:%d(%s)", refused: "被拒绝:%d(%s)",
			recorded: "本次会话已录制,保存 %d 天", notRecorded: "本次会话未录制",
			outcome: "结果:", summary: "总结:", noSummary: "客服尚未填写总结。",
			steps:      "客户录制了自己的操作步骤(%s)。有回放权限的客服可在控制台中查看。",
			levelNames: map[string]string{LevelView: "仅查看", LevelGuided: "引导", LevelControl: "完全控制"},
			reasons: map[string]string{EndCustomer: "客户已停止", EndAgent: "客服已停止", EndMaxDuration: "达到最长时长",
				EndIdle: "长时间无操作", EndDeclined: "客户已拒绝", EndWithdrawn: "客服已撤回邀请", EndExpired: "邀请已过期"},
			outcomes: map[string]string{OutcomeResolved: "已解决", OutcomeNotResolved: "未解决", OutcomeFollowUp: "需要跟进"},
		}
	}
	return reportTexts{
		title:    "Remote assistance report",
		agent:    "Agent: %s, staff number %s, %s",
		verified: "Identity card signed by the server and verified; the verification code was shown on both screens before consent",
		when:     "Started %s, ended %s UTC (%s); %s",
		levels:   "Permission: ", actions: "Agent actions: %d (%s)", refused: "Refused: %d (%s)",
		recorded: "The session was recorded; the recording is kept %d days", notRecorded: "The session was not recorded",
		outcome: "Outcome: ", summary: "Summary: ", noSummary: "No summary from the agent yet.",
		steps:      "The customer recorded their steps (%s). Agents with replay permission can watch them in the console.",
		levelNames: map[string]string{LevelView: "view only", LevelGuided: "guided", LevelControl: "full control"},
		reasons: map[string]string{EndCustomer: "stopped by the customer", EndAgent: "stopped by the agent", EndMaxDuration: "maximum duration reached",
			EndIdle: "idle", EndDeclined: "declined by the customer", EndWithdrawn: "invitation withdrawn", EndExpired: "invitation expired"},
		outcomes: map[string]string{OutcomeResolved: "resolved", OutcomeNotResolved: "not resolved", OutcomeFollowUp: "follow-up needed"},
	}
}
