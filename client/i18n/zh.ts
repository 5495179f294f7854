// Simplified Chinese, for readers in the Chinese border provinces.
import type { Catalogue } from "./en.js";

export const zh: Catalogue = {
  languageName: "中文（简体）",
  pageTitle: "安全地提供线索",
  languageNav: "语言",
  loading: "正在加载…",
  loadFailed: "此页面无法连接到新闻机构。请检查网络连接，然后重新加载页面。",
  insecureConnection: "此页面不是通过安全连接打开的，因此无法保护您的线索。请不要在这里发送任何内容。请使用新闻机构的 https:// 或 .onion 地址。",

  intro: "{newsroom}在这里接收线索。您的消息和文件在离开本浏览器之前就已加密：服务器只保存它无法读取的内容。",
  fingerprintHeading: "核对新闻机构的密钥",
  fingerprintHelp: "请将下面的指纹与{newsroom}在其他地方公布的指纹进行比较，例如印刷品、其网站或您信任的人。如果不一致，请不要发送任何内容。",
  fingerprintMismatch: "警告：此页面收到的密钥与指纹不符。请不要发送任何内容。请稍后再试，或通过其他方式联系新闻机构。",
  noDesks: "该新闻机构暂时不接收线索。",
  safetyAdvice: "请注意：除非您愿意，否则不要写下您的姓名或任何可能暴露您身份的信息。照片和文档可能含有隐藏信息，例如拍摄或制作的地点和时间，或所用的设备。",

  formHeading: "您的线索",
  deskLabel: "接收部门",
  messageLabel: "消息",
  messageHelp: "写下您看到或知道的情况。您可以发送消息、文件，或两者都发送。",
  filesLabel: "文件（可选）",
  filesHelp: "总共最多 {max}。",
  chooseFiles: "选择文件",
  noFilesChosen: "未选择文件。",
  fileChosen: "{name}（{size}）",
  submit: "加密并发送",

  progressLabel: "进度",
  statusReading: "正在读取第 {n} 个文件（共 {total} 个）…",
  statusEncryptingFile: "正在加密第 {n} 个文件（共 {total} 个）…",
  statusUploadingFile: "正在发送第 {n} 个文件（共 {total} 个）…",
  statusEncryptingMessage: "正在加密您的消息…",
  statusSending: "正在发送您的消息…",

  errorEmpty: "请填写消息或选择文件。",
  errorFilesTooLarge: "文件太大：总共 {size}。上限为 {max}。",
  errorFileTooLarge: "文件“{name}”太大。上限为 {max}。",
  errorTooManyFiles: "文件太多：一次最多可发送 {max} 个。",
  errorMessageTooLong: "消息太长：最多 {max} 个字符。",
  errorFileUnreadable: "无法读取文件“{name}”。请重新选择后再试。",
  errorNetwork: "连接失败。没有丢失任何内容：您的消息仍在这里。请再试一次。",
  errorGeneric: "出现问题（{code}）。没有丢失任何内容：您的消息仍在这里。请再试一次。",
  errorKept: "您的消息和文件仍保留在表单中。",
  error_payload_too_large: "发送的内容超出服务器的限制。请删除一个文件或缩短消息，然后再试。",
  error_unknown_desk: "所选的接收部门已不存在。请重新加载页面后再试。",
  error_rate_limited: "服务器繁忙。请等几分钟后再试。",
  error_upload_incomplete: "有文件没有完整送达。请再试一次。",
  error_upload_conflict: "文件上传被中断。请再试一次。",
  error_invalid_ciphertext: "服务器无法接受加密数据。请重新加载页面后再试。",
  error_proof_of_work_required: "服务器要求进行本页面暂时无法完成的额外验证。请稍后再试。",

  receiptHeading: "您的线索已收到并已加密",
  receiptIdLabel: "回执编号",
  receiptHelp: "只有新闻机构能够读取。表单内容已从本页面清除。",
  receiptCleanup: "如果这台设备与他人共用，请立即关闭此浏览器窗口。",
  sendAnother: "再提供一条线索",

  sizeMegabytes: "{n} MB",
  noscript:
    "此页面需要 JavaScript，因为您的线索会在发送前于浏览器内加密。Tor 浏览器的安全级别为“最安全”（Safest）时，JavaScript 会被关闭：请点击盾牌图标，将此网站的安全级别改为“更安全”（Safer），然后重新加载页面。",
};
