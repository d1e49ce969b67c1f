// 审批 and 退回 of one township's period (Admin.Approve / Admin.Reopen),
// with the comment or reason asked for first. Returns whether it changed.
import { ElMessage, ElMessageBox } from "element-plus";
import { admin } from "./client";
import { run } from "./run";
import { t } from "../i18n";

async function ask(title: string, required: boolean): Promise<string | null> {
  try {
    const r = await ElMessageBox.prompt(title, t("review.title"), {
      confirmButtonText: t("ok"),
      cancelButtonText: t("cancel"),
      inputValidator: (v: string) => (!required || v.trim() !== "" ? true : t("review.reasonRequired")),
    });
    return (r as { value: string }).value ?? "";
  } catch {
    return null; // cancelled
  }
}

export async function approveReport(regionCode: string, period: string): Promise<boolean> {
  const comment = await ask(t("review.approveComment"), false);
  if (comment === null) return false;
  const resp = await run(() => admin.approve({ regionCode, period, comment }));
  if (resp) ElMessage.success(resp.changed ? t("review.approved") : t("review.already"));
  return !!resp;
}

export async function reopenReport(regionCode: string, period: string): Promise<boolean> {
  const reason = await ask(t("review.reopenReason"), true);
  if (reason === null) return false;
  const resp = await run(() => admin.reopen({ regionCode, period, reason }));
  if (resp) ElMessage.success(resp.changed ? t("review.reopened") : t("review.notApproved"));
  return !!resp;
}
