"""审计日志 the audit trail's actions by their Chinese names, for the admin (管理后台) and any page that
lists audit events. An action is stored as '<area>.<verb>' by the service that writes it; the
application workflow's transitions (application.<transition>) take their names from the workflow,
added by the applications app (audit_actions_add). An action without a name here is shown as
stored, and the admin walk (tests/browser/test_every_page.py) reports it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.apps import apps
from django.utils.translation import gettext_lazy as _

AUDIT_ACTIONS: dict[str, Any] = {
    "auth.login": _("登录"),
    "auth.logout": _("退出登录"),
    "auth.locked_out": _("登录失败次数过多，账户锁定"),
    "auth.api_token": _("签发接口令牌"),
    "auth.api_token_revoked": _("吊销接口令牌"),
    "auth.oidc_link": _("关联统一身份认证账户"),
    "auth.oidc_login": _("统一身份认证登录"),
    "auth.recovery_code_used": _("使用备用码登录"),
    "auth.totp_enrolled": _("启用两步验证"),
    "auth.totp_reset": _("重置两步验证"),
    "user.register": _("注册账户"),
    "user.register_existing": _("已注册邮箱再次注册"),
    "user.register_oidc": _("通过统一身份认证注册"),
    "user.confirm_email": _("确认电子邮箱"),
    "user.create_staff": _("创建工作人员账户"),
    "user.staff_create": _("创建工作人员账户"),
    "calendar.arrangement_set": _("录入年度放假安排"),
    "calendar.correction_set": _("调整工作日历"),
    "calendar.correction_delete": _("删除工作日历调整"),
    "application.create": _("创建申报草稿"),
    "application.prefill": _("按已核验数据预填申报"),
    "application.save_draft": _("保存申报草稿"),
    "enterprise.register": _("登记企业"),
    "enterprise.update": _("修改企业信息"),
    "enterprise.claim_registration": _("提交企业认领"),
    "enterprise.claim_contested": _("提交争议认领"),
    "enterprise.claim_accept": _("企业认领核验通过"),
    "enterprise.claim_refuse": _("企业认领核验未通过"),
    "enterprise.identity_asserted": _("统一身份认证确认企业身份"),
    "enterprise.fact_change_request": _("申请变更认定事实"),
    "enterprise.fact_change_accept": _("认定事实变更核验通过"),
    "enterprise.fact_change_refuse": _("认定事实变更核验未通过"),
    "enterprise.fact_change_withdraw": _("撤回认定事实变更"),
    "enterprise.facts_import": _("导入部门数据"),
    "enterprise.invite": _("邀请企业成员"),
    "enterprise.invitation_revoke": _("撤销成员邀请"),
    "enterprise.join": _("加入企业"),
    "enterprise.member_remove": _("移除企业成员"),
    "preapproval.request": _("申请预审"),
    "preapproval.approve": _("预审意见"),
    "preapproval.withdraw": _("撤回预审申请"),
    "party.confirm": _("合作方确认"),
    "provider.update": _("修改服务商信息"),
    "provider.member_link": _("关联服务商成员"),
    "provider.member_unlink": _("解除服务商成员"),
    "provider.relation_declare": _("申报服务商关联关系"),
    "provider.relation_remove": _("删除服务商关联关系"),
    "rating.submit": _("提交服务评价"),
    "review.claim": _("认领审查任务"),
    "review.assign": _("分配审查人员"),
    "review.release": _("释放审查任务"),
    "review.experts_assign": _("指派评审专家"),
    "review.expert_declare": _("专家声明无利益关联"),
    "review.expert_score": _("专家评分"),
    "review.expert_relation": _("登记专家利益关联"),
    "review.expert_conflict_revoke": _("专家回避，撤销评审"),
    "review.decision_propose": _("拟办核定意见"),
    "review.proposal_approve": _("审批同意"),
    "review.proposal_return": _("审批退回"),
    "review.proposal_lapse": _("核定意见失效"),
    "review.collective_decision": _("录入集体决策"),
    "review.notice_publish": _("发布公示"),
    "review.notice_close": _("结束公示"),
    "review.notices_close_due": _("结束到期公示"),
    "review.objection_lodge": _("提出公示异议"),
    "review.objection_resolve": _("处理公示异议"),
    "review.approval_chain_save": _("保存审批链"),
    "review.approval_chain_delete": _("删除审批链"),
    "review.authorised_approver_save": _("保存分管领导授权"),
    "letter.create": _("创建正式文书"),
    "letter.generate": _("生成正式文书"),
    "letter.generate_batch": _("批量生成正式文书"),
    "letter.generate_failed": _("正式文书生成失败"),
    "letter.retry": _("重新生成正式文书"),
    "letter.revoke": _("撤销正式文书"),
    "letter.download_zip": _("打包下载正式文书"),
    "letter.issuer_save": _("保存发文机关设置"),
    "parameter.set": _("设定政策参数"),
    "window.open": _("开放申报窗口"),
    "window.change": _("调整申报窗口"),
    "window.close": _("关闭申报窗口"),
    "budget.pool_create": _("设立资金池"),
    "budget.pool_set_amount": _("调整资金池额度"),
    "budget.award_reserve": _("预留奖励资金"),
    "budget.award_commit": _("核定奖励资金"),
    "budget.award_release": _("释放奖励资金"),
    "budget.award_clawback": _("追回奖励资金"),
    "budget.tranche_disburse": _("拨付资金"),
    "voucher.issue": _("发放算力券"),
    "voucher.redeem": _("核销算力券"),
    "voucher.redemption_confirm": _("确认算力券核销"),
    "voucher.redemption_dispute": _("对算力券核销提出异议"),
    "voucher.expire": _("算力券到期失效"),
    "payments.account_submit": _("提交收款账户"),
    "payments.account_verify": _("核验收款账户"),
    "payments.account_refuse": _("收款账户核验未通过"),
    "payments.account_withdraw": _("撤回收款账户"),
    "payments.schedule_create": _("制定分期拨付计划"),
    "payments.tranches_cancel": _("取消拨付批次"),
    "payments.acceptance_submit": _("提交验收材料"),
    "payments.acceptance_files": _("补充验收材料"),
    "payments.acceptance_decide": _("验收意见"),
    "payments.batch_prepare": _("编制拨付批次"),
    "payments.batch_approve": _("审批拨付批次"),
    "payments.batch_cancel": _("取消拨付批次"),
    "payments.batch_export": _("导出拨付文件"),
    "payments.batch_results": _("登记拨付结果"),
    "payments.clawback_decide": _("作出追回决定"),
    "payments.clawback_repayment": _("登记退回款项"),
    "proactive.facts_import": _("导入免申即享数据"),
    "proactive.fact_contest": _("企业对数据提出异议"),
    "proactive.fact_contest_resolve": _("处理数据异议"),
    "proactive.auto_batch_prepare": _("生成免申即享批次"),
    "proactive.auto_batch_publish": _("发布免申即享批次"),
    "proactive.auto_batch_notice": _("发布免申即享公示"),
    "proactive.auto_award_confirm": _("复核免申即享奖励"),
    "proactive.library_add": _("材料库添加文件"),
    "proactive.library_remove": _("材料库删除文件"),
    "proactive.library_reuse": _("复用材料库文件"),
}


def audit_actions_add(labels: Mapping[str, Any]) -> None:
    """Names for actions another app writes by pattern (application.<transition>)."""
    AUDIT_ACTIONS.update(labels)


def audit_action_label(action: str) -> str:
    label = AUDIT_ACTIONS.get(action)
    return str(label) if label else action


def audit_target_label(target_type: str) -> str:
    """A target type ('applications.enterprise', a model's label) by the model's name."""
    try:
        return str(apps.get_model(target_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return target_type
