// Korean, written for readers from North Korea as much as the South: short sentences, plain words,
// English product names only in brackets where a source will see them on screen.
import type { Catalogue } from "./en.js";

export const ko: Catalogue = {
  languageName: "한국어",
  pageTitle: "안전하게 제보하기",
  languageNav: "언어",
  loading: "불러오는 중…",
  loadFailed: "언론사에 연결하지 못했습니다. 인터넷 연결을 확인하고 페이지를 다시 여십시오.",
  insecureConnection: "이 페이지는 안전한 연결로 열리지 않아 제보를 지킬 수 없습니다. 여기서는 아무것도 보내지 마십시오. 언론사의 https:// 주소나 .onion 주소를 쓰십시오.",

  intro: "{newsroom}에서 제보를 받습니다. 쓴 글과 파일은 보내기 전에 이 브라우저 안에서 암호화됩니다. 서버에는 읽을 수 없는 형태로만 저장됩니다.",
  fingerprintHeading: "언론사의 암호 열쇠 확인하기",
  fingerprintHelp: "아래 확인 번호를 {newsroom}에서 다른 곳(신문, 인터넷 사이트, 믿을 수 있는 사람 등)에 알린 번호와 비교하십시오. 번호가 다르면 아무것도 보내지 마십시오.",
  fingerprintMismatch: "경고: 이 페이지가 받은 암호 열쇠가 확인 번호와 맞지 않습니다. 아무것도 보내지 마십시오. 나중에 다시 하거나 다른 방법으로 언론사에 연락하십시오.",
  noDesks: "이 언론사는 아직 제보를 받지 않습니다.",
  safetyAdvice: "조심하십시오. 원하지 않으면 이름이나 자신을 알아볼 수 있는 내용을 쓰지 마십시오. 사진과 문서에는 찍은 곳과 시간, 사용한 기계 같은 숨은 정보가 들어 있을 수 있습니다.",

  formHeading: "제보 내용",
  deskLabel: "받을 부서",
  messageLabel: "내용",
  messageHelp: "보거나 알게 된 것을 쓰십시오. 글이나 파일, 또는 둘 다 보낼 수 있습니다.",
  filesLabel: "파일 (넣지 않아도 됩니다)",
  filesHelp: "모두 합쳐 {max}까지 보낼 수 있습니다.",
  chooseFiles: "파일 고르기",
  noFilesChosen: "고른 파일이 없습니다.",
  fileChosen: "{name} ({size})",
  submit: "암호화해서 보내기",

  progressLabel: "진행 상황",
  statusReading: "파일 {total}개 가운데 {n}번째를 읽는 중…",
  statusEncryptingFile: "파일 {total}개 가운데 {n}번째를 암호화하는 중…",
  statusUploadingFile: "파일 {total}개 가운데 {n}번째를 보내는 중…",
  statusEncryptingMessage: "내용을 암호화하는 중…",
  statusSending: "내용을 보내는 중…",

  errorEmpty: "내용을 쓰거나 파일을 고르십시오.",
  errorFilesTooLarge: "파일이 너무 큽니다. 모두 합쳐 {size}입니다. 한도는 {max}입니다.",
  errorFileTooLarge: "“{name}” 파일이 너무 큽니다. 한도는 {max}입니다.",
  errorTooManyFiles: "파일이 너무 많습니다. 한 번에 {max}개까지 보낼 수 있습니다.",
  errorMessageTooLong: "내용이 너무 깁니다. {max}자까지 쓸 수 있습니다.",
  errorFileUnreadable: "“{name}” 파일을 읽지 못했습니다. 파일을 다시 고른 뒤 다시 보내 보십시오.",
  errorNetwork: "연결이 끊겼습니다. 잃어버린 것은 없습니다. 쓴 내용이 그대로 있으니 다시 보내 보십시오.",
  errorGeneric: "문제가 생겼습니다({code}). 잃어버린 것은 없습니다. 쓴 내용이 그대로 있으니 다시 보내 보십시오.",
  errorKept: "쓴 내용과 파일은 그대로 남아 있습니다.",
  error_payload_too_large: "보내는 것이 서버가 받기에 너무 큽니다. 파일을 빼거나 내용을 줄인 뒤 다시 보내 보십시오.",
  error_unknown_desk: "고른 부서가 더 이상 없습니다. 페이지를 다시 연 뒤 다시 보내 보십시오.",
  error_rate_limited: "서버가 바쁩니다. 몇 분 기다린 뒤 다시 보내 보십시오.",
  error_upload_incomplete: "파일이 다 도착하지 않았습니다. 다시 보내 보십시오.",
  error_upload_conflict: "파일을 보내다가 끊겼습니다. 다시 보내 보십시오.",
  error_invalid_ciphertext: "서버가 암호화된 자료를 받지 못했습니다. 페이지를 다시 연 뒤 다시 보내 보십시오.",
  error_proof_of_work_required: "서버가 이 페이지에서 아직 할 수 없는 추가 확인을 요구합니다. 나중에 다시 해 보십시오.",

  receiptHeading: "제보가 암호화되어 잘 도착했습니다",
  receiptIdLabel: "접수 번호",
  receiptHelp: "언론사만 읽을 수 있습니다. 쓴 내용은 이 페이지에서 지웠습니다.",
  receiptCleanup: "다른 사람과 함께 쓰는 기기라면 지금 이 브라우저 창을 닫으십시오.",
  sendAnother: "다른 제보 보내기",

  sizeMegabytes: "{n} MB",
  noscript:
    "이 페이지는 자바스크립트(JavaScript)가 켜져 있어야 합니다. 제보는 보내기 전에 브라우저 안에서 암호화되기 때문입니다. 토르 브라우저(Tor Browser)의 보안 수준이 “가장 안전(Safest)”이면 자바스크립트가 꺼집니다. 방패 모양 단추를 누르고 이 사이트의 보안 수준을 “더 안전(Safer)”으로 바꾼 뒤 페이지를 다시 여십시오.",
};
