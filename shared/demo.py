"""``openness demo``: a realistic sample year, loaded only through the services' public HTTP APIs.

Departments behave differently on purpose (one discloses promptly, one late, one leaves an
emergency unanswered...), so the league table that follows has differences to explain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import httpx

from shared.auth import issue_token
from shared.settings import Settings
from shared.timeutil import SHANGHAI, local_date, utcnow

Step = tuple[str, Callable[[], None]]


@dataclass
class Demo:
    settings: Settings
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30))
    today: date = field(default_factory=lambda: local_date(utcnow()))
    made: dict[str, Any] = field(default_factory=dict)

    def url(self, service: str, path: str) -> str:
        return f"{self.settings.url_of(service)}/{service}/v1{path}"

    def headers(self, role: str, dept: str | None = None) -> dict[str, str]:
        token = issue_token(self.settings, sub=f"demo-{role}-{dept or 'city'}", roles=[role], dept=dept)
        return {"Authorization": f"Bearer {token}"}

    def post(self, service: str, path: str, body: dict[str, Any] | None, role: str, dept: str | None = None) -> Any:
        response = self.client.post(self.url(service, path), json=body or {}, headers=self.headers(role, dept))
        if response.status_code >= 400:
            raise RuntimeError(f"{service}{path}: {response.status_code} {response.text[:300]}")
        return response.json()

    def days_ago(self, n: int) -> date:
        return self.today - timedelta(days=n)

    # --- what each department does ----------------------------------------------------------

    def items(self) -> None:
        for dept, code, name, area in (
            ("FIN", "FIN-BUDGET", "部门预算", "fiscal_budget"),
            ("FIN", "FIN-FINAL", "部门决算", "fiscal_budget"),
            ("EDU", "EDU-ENROL", "义务教育招生", "public_welfare"),
            ("HEALTH", "HEALTH-INSP", "医疗机构监督检查", "random_inspection"),
            ("ENV", "ENV-PERMIT", "排污许可", "other"),
            ("PRTC", "PRTC-TRADE", "公共资源交易信息", "public_resource"),
        ):
            body = {
                "code": code,
                "name": name,
                "area": area,
                "content": f"{name}的主要内容",
                "basis": "《政府信息公开条例》",
                "department": dept,
                "channels": ["website", "gazette"],
            }
            if area == "public_welfare":  # rule 16: the five elements
                body.update(standard=f"{name}的公开标准", procedure=f"{name}的公开程序")
            response = self.client.post(self.url("catalogue", "/items"), json=body, headers=self.headers("office"))
            if response.status_code not in (201, 409):  # 409: loaded by an earlier run
                raise RuntimeError(response.text)

    def records(self) -> None:
        # (department, title, category, item, formed days ago, publish?)
        plan = [
            ("FIN", "关于2026年市级部门预算公开的通知", "budget", "FIN-BUDGET", 10, True),
            ("FIN", "关于进一步规范财政资金管理的实施意见", "policy", None, 8, True),
            ("FIN", "关于调整行政事业性收费标准的通知", "normative_document", None, 5, True),
            ("EDU", "关于做好义务教育招生入学工作的通知", "policy", "EDU-ENROL", 60, True),
            ("EDU", "关于中小学课后服务的实施办法", "normative_document", None, 45, False),
            ("HEALTH", "关于医疗机构监督检查结果的公告", "announcement", "HEALTH-INSP", 12, True),
            ("HEALTH", "关于加强基层医疗卫生服务的若干措施", "policy", None, 9, True),
            ("ENV", "关于排污许可证核发情况的公告", "announcement", None, 90, False),
            ("ENV", "关于大气污染防治的工作方案", "plan", None, 70, True),
            ("PRTC", "公共资源交易项目成交结果公示", "public_resource", "PRTC-TRADE", 3, True),
            ("CIV", "关于提高城乡低保标准的通知", "policy", None, 30, True),
        ]
        for dept, title, category, item, ago, publish in plan:
            body: dict[str, Any] = {
                "department": dept,
                "title": title,
                "category": category,
                "formed_on": self.days_ago(ago).isoformat(),
                "body": f"{title}。现将有关事项通知如下……",
            }
            if item:
                body["item_code"] = item
            record = self.post("catalogue", "/records", body, "editor", dept)
            if publish:
                self.post("catalogue", f"/records/{record['id']}/publish", None, "editor", dept)
                self.made.setdefault("policies", []).append((dept, record["id"], category))

    def interpretations(self) -> None:
        heads = {"FIN": 3, "HEALTH": 1, "CIV": 0}
        for dept, record_id, category in self.made.get("policies", []):
            if category not in ("policy", "normative_document") or dept not in heads:
                continue
            for n in range(max(1, heads[dept])):
                body = {
                    "department": dept,
                    "policy_record_id": record_id,
                    "title": "一图读懂",
                    "form": "graphic",
                    "interpreter": {"name": "局长", "position": "主要负责人", "principal": n < heads[dept]},
                    "body": "政策要点解读",
                }
                made = self.post("interpretation", "/interpretations", body, "head", dept)
                self.post("interpretation", f"/interpretations/{made['id']}/publish", None, "head", dept)

    def proposals(self) -> None:
        for dept, number, ago, publish in (("EDU", "第0012号", 15, True), ("HOUSING", "第0035号", 60, False)):
            body = {
                "kind": "cppcc_proposal",
                "number": number,
                "title": "关于改善民生的提案",
                "handler_department": dept,
                "replied_on": self.days_ago(ago).isoformat(),
                "reply_text": "感谢您的提案，联系人电话 13800000000。",
            }
            made = self.post("catalogue", "/proposals", body, "editor", dept)
            if publish:
                self.post("catalogue", f"/proposals/{made['id']}/publish", None, "editor", dept)

    def requests(self) -> None:
        for dept, ago, reply in (("FIN", 20, "granted"), ("FIN", 10, None), ("EDU", 50, "refused"), ("ENV", 60, None)):
            body = {
                "department": dept,
                "applicant": {"type": "natural_person", "name": "市民", "contact": "略"},
                "description": "申请公开相关信息",
                "channel": "online",
                "received_on": self.days_ago(ago).isoformat(),
            }
            made = self.post("catalogue", "/requests", body, "editor", dept)
            if reply:
                answer = {
                    "on": self.today.isoformat(),
                    "outcome": reply,
                    "reason": "internal_affairs" if reply == "refused" else None,
                }
                self.post("catalogue", f"/requests/{made['id']}/replied", answer, "editor", dept)

    def annual_report(self) -> None:
        """FIN's report of this year: table 二's entered figures and the narrative sections 一 and 五."""
        year, fin = self.today.year, self.headers("editor", "FIN")
        figures = {"department": "FIN", "licensing": 126, "penalty": 9, "enforcement": 2, "fees_10k_yuan": 35.5}
        sections = {
            "overview": f"{year}年，市财政局坚持以公开为常态、不公开为例外，全面推进预算、决算信息公开。\n"
            "全年主动公开政府信息，依法办理政府信息公开申请，按时答复率持续提升。",
            "problems": "一是政策解读形式较为单一；二是部分信息公开时效仍需提升。下一步将加强培训和督促检查。",
        }
        writes = [(f"/annual-reports/{year}/figures", figures)]
        writes += [
            (f"/annual-reports/{year}/narrative?department=FIN", {"section": k, "text": v}) for k, v in sections.items()
        ]
        for path, body in writes:
            response = self.client.put(self.url("catalogue", path), json=body, headers=fin)
            if response.status_code >= 400:
                raise RuntimeError(f"catalogue{path}: {response.status_code} {response.text[:300]}")

    def incidents(self) -> None:
        now = datetime.now(SHANGHAI)
        health = self.post(
            "opinion",
            "/incidents",
            {
                "title": "某医院就诊排队时间过长引发热议",
                "source": "monitoring",
                "detected_at": (now - timedelta(hours=6)).isoformat(),
                "topic": "medical",
                "severity": "major",
                "emergency": True,
                "lead_department": "HEALTH",
            },
            "office",
        )
        self.post(
            "opinion",
            f"/incidents/{health['id']}/responses",
            {
                "kind": "authoritative_release",
                "at": (now - timedelta(hours=4)).isoformat(),
                "channel": "官方微博",
                "summary": "已增派医护人员",
                "explains": {"cause": "流感高发", "solution": "增开门诊", "constraints": "人员有限"},
            },
            "editor",
            "HEALTH",
        )
        env = self.post(
            "opinion",
            "/incidents",
            {
                "title": "某河段出现死鱼",
                "source": "media",
                "detected_at": (now - timedelta(days=3)).isoformat(),
                "topic": "other",
                "severity": "major",
                "emergency": True,
                "lead_department": "ENV",
            },
            "office",
        )
        self.post("opinion", f"/incidents/{env['id']}/close", {"note": "已处置"}, "editor", "ENV")
        self.post(
            "opinion",
            f"/incidents/{env['id']}/evaluation",
            {"rating": "ineffective", "findings": ["slow_handling", "late_report"], "note": "未在时限内发布权威信息"},
            "office",
        )
        self.made["env_incident"] = env["id"]

    def actions(self) -> None:
        self.post(
            "assessment",
            "/actions",
            {
                "department": "ENV",
                "kind": "circulated_criticism",
                "reason": "突发事件舆情回应超时",
                "refs": [{"service": "opinion", "ref_id": self.made["env_incident"]}],
                "rectification_due_on": (self.today + timedelta(days=30)).isoformat(),
            },
            "office",
        )

    def steps(self) -> list[Step]:
        return [
            ("catalogue items 目录事项", self.items),
            ("records 政府信息", self.records),
            ("interpretations 政策解读", self.interpretations),
            ("proposals 建议提案", self.proposals),
            ("requests 依申请公开", self.requests),
            ("annual report 年度报告", self.annual_report),
            ("incidents 舆情事件", self.incidents),
            ("actions 问责", self.actions),
        ]
