"""Documents, as infrastructure: HTML → tagged PDF with WeasyPrint (`pdf`), the Japanese
fonts it needs (`fonts`), QR codes (`qr`) and write-once storage (`storage`).

It takes plain HTML and bytes and knows no feature: the receipt is made by
`app.submissions.receipts`, the KPI report by `app.dashboard.report`. Rendering runs in
jobs (RQ workers, or inline without Redis), never in a web request.
"""
