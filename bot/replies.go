package bot

// The few user-facing texts of the transport layer; everything a handler says lives in handlers/replies.go.
const (
	msgBindAsk      = "您好！请先绑定身份：发送“绑定 六位绑定码”，例如：绑定 482913。绑定码请向本单位联络员索取。"
	msgBindBadCode  = "绑定码不对或已过期，请核对后重发，例如：绑定 482913。需要新码请联系联络员。"
	msgBindUsed     = "这个绑定码已经用过了，请向联络员索取新码后再发“绑定 新码”。"
	msgBindTooMany  = "绑定尝试次数过多，请一小时后再试，或联系联络员重新获取绑定码。"
	msgBindInGroup  = "为保护隐私，请私聊我发送绑定码，例如：绑定 482913。"
	msgBindOKFormat = "绑定成功，%s您好！发送“帮助”看看我能为您做什么。"
	msgSpooled      = "已收到您的消息，系统正忙，稍后自动保存并回复您，无需重发。"
	msgApology      = "抱歉，处理这条消息时出了问题，已记录。请稍后再发一次，或发送“帮助”。"
	msgConsoleNoOne = "没有找到人员编号 %s，请核对编号后重发，例如：@C001 我的亲戚。"

	// Refused at the door (bot/inbox_door.go): nothing was recorded.
	msgTooLong         = "这条消息太长了（%d字），没有记录。请分成几条发，每条不超过%d字。"
	msgFileNameTooLong = "这个文件的名字太长，没有收下。请把文件名改短后再发。"
	msgBadLocation     = "没能读出这个位置，没有记录。请在微信里点“＋”→“位置”重新发送。"
	// Quarantined: the database refused the message on every try, or would not store it at all.
	msgQuarantined = "抱歉，这条消息试了几次都没能保存，没有记录，已留给管理员查看。请换个说法或分几条重新发；急事请直接打电话。"
	msgUnstorable  = "抱歉，这条消息没能保存进系统，没有记录，已留给管理员查看。请换个说法或分几条重新发；急事请直接打电话。"
)
