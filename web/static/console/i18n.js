// The console's own words in English and Arabic; text from the server (reasons) arrives in
// the language asked for with Accept-Language.

const TEXT = {
  en: {
    title: "Operations console",
    signIn: "Sign in",
    nationalId: "National ID",
    password: "Password",
    continue: "Continue",
    code: "One-time code",
    signInButton: "Sign in",
    signOut: "Sign out",
    codeSent: (destination) => `A code was sent by SMS to ${destination}.`,
    demoHint: (id) => `Demo: read the code with ./dev outbox ${id}`,
    counters: "Last 14 days",
    total: "Requested",
    liveBoard: "Live status changes",
    permit: "Permit",
    traveller: "Traveller",
    change: "Change",
    reason: "Reason",
    time: "Time",
    new: "new",
    requested: "Requested",
    approved: "Approved",
    rejected: "Rejected",
    cancelled: "Cancelled",
    states: {
      "signed-out": "Signed out",
      connecting: "Connecting…",
      live: "Live",
      reconnecting: "Reconnecting…",
      failed: "Disconnected",
    },
    status: {
      PENDING: "Pending",
      APPROVED: "Approved",
      REJECTED: "Rejected",
      CANCELLED: "Cancelled",
      EXPIRED: "Expired",
    },
    failed: "Something went wrong; try again.",
  },
  ar: {
    title: "لوحة العمليات",
    signIn: "تسجيل الدخول",
    nationalId: "رقم الهوية الوطنية",
    password: "كلمة المرور",
    continue: "متابعة",
    code: "رمز التحقق",
    signInButton: "دخول",
    signOut: "تسجيل الخروج",
    codeSent: (destination) => `أُرسل رمز التحقق برسالة نصية إلى ${destination}.`,
    demoHint: (id) => `للتجربة: اقرأ الرمز بالأمر ./dev outbox ${id}`,
    counters: "آخر ١٤ يومًا",
    total: "الطلبات",
    liveBoard: "تغييرات الحالة المباشرة",
    permit: "التصريح",
    traveller: "المسافر",
    change: "التغيير",
    reason: "السبب",
    time: "الوقت",
    new: "جديد",
    requested: "الطلبات",
    approved: "الموافقات",
    rejected: "الرفض",
    cancelled: "الإلغاء",
    states: {
      "signed-out": "غير مسجل الدخول",
      connecting: "جارٍ الاتصال…",
      live: "مباشر",
      reconnecting: "جارٍ إعادة الاتصال…",
      failed: "انقطع الاتصال",
    },
    status: {
      PENDING: "قيد المراجعة",
      APPROVED: "موافق عليه",
      REJECTED: "مرفوض",
      CANCELLED: "ملغى",
      EXPIRED: "منتهي",
    },
    failed: "حدث خطأ، حاول مرة أخرى.",
  },
};

const STORAGE_KEY = "bawaba-console-language";

export function initialLanguage() {
  const stored = window.localStorage.getItem(STORAGE_KEY);
  if (stored === "ar" || stored === "en") return stored;
  return (navigator.language || "en").toLowerCase().startsWith("ar") ? "ar" : "en";
}

export function text(language) {
  return TEXT[language];
}

// Puts the page in ``language``: direction, lang attribute, and every [data-text] label.
export function applyLanguage(language) {
  window.localStorage.setItem(STORAGE_KEY, language);
  const root = document.documentElement;
  root.lang = language;
  root.dir = language === "ar" ? "rtl" : "ltr";
  const words = TEXT[language];
  for (const element of document.querySelectorAll("[data-text]")) {
    element.textContent = words[element.dataset.text];
  }
  document.title = words.title;
  const toggle = document.getElementById("language");
  const other = language === "ar" ? "en" : "ar";
  toggle.textContent = other === "ar" ? "العربية" : "English";
  toggle.lang = other;
}
