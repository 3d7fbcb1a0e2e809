<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>BillPayPage</name>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="459"/>
        <source>Bills</source>
        <translation>缴费</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="462"/>
        <source>Bill payments (便民缴费)</source>
        <translation>便民缴费</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="467"/>
        <source>Choose the kind (1-5) and the biller, or scan the barcode on the customer&apos;s paper bill.</source>
        <translation>选择缴费类型（1-5）和缴费单位，或扫描顾客纸质账单上的条码。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="472"/>
        <source>No billers yet: they come from the hub when the shop syncs (Sync screen).</source>
        <translation>还没有缴费单位：门店与云端同步后自动下载（同步页面）。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="475"/>
        <location filename="../../ui/cashier/billpay_page.py" line="496"/>
        <source>Today&apos;s bill payments  Ctrl+L</source>
        <translation>今日缴费  Ctrl+L</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="476"/>
        <source>Look up the bill  Enter</source>
        <translation>查询账单  Enter</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="477"/>
        <location filename="../../ui/cashier/billpay_page.py" line="1530"/>
        <source>Asking the biller…</source>
        <translation>正在查询缴费单位…</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="480"/>
        <source>Holder</source>
        <translation>户名</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="480"/>
        <source>Period</source>
        <translation>账期</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="480"/>
        <source>Due date</source>
        <translation>缴费截止日</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="480"/>
        <location filename="../../ui/cashier/billpay_page.py" line="503"/>
        <source>Account</source>
        <translation>号码</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="484"/>
        <source>Amount due</source>
        <translation>应缴金额</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="485"/>
        <source>Show the customer  Enter</source>
        <translation>请顾客核对  Enter</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="486"/>
        <location filename="../../ui/cashier/billpay_page.py" line="509"/>
        <source>Back  Esc</source>
        <translation>返回  Esc</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="487"/>
        <source>Please check (请核对)</source>
        <translation>请核对</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="490"/>
        <source>The customer&apos;s screen shows the same. Take the money only when the customer agrees.</source>
        <translation>顾客屏上显示相同内容。顾客确认无误后再收款。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="494"/>
        <source>Change it  Esc</source>
        <translation>修改  Esc</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="495"/>
        <source>The customer agrees: take the money  Enter</source>
        <translation>顾客已确认：收款  Enter</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="497"/>
        <source>Next customer  Enter</source>
        <translation>下一位顾客  Enter</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="500"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="501"/>
        <source>Number</source>
        <translation>单号</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="502"/>
        <source>Biller</source>
        <translation>缴费单位</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="504"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="505"/>
        <source>Tender</source>
        <translation>支付方式</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="506"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="510"/>
        <source>Ask the biller again  Ctrl+R</source>
        <translation>刷新结果  Ctrl+R</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="511"/>
        <source>Reprint  Ctrl+P</source>
        <translation>重打小票  Ctrl+P</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="512"/>
        <source>Refund the customer  Enter</source>
        <translation>给顾客退款  Enter</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="639"/>
        <source>No biller of this kind yet: sync with the hub.</source>
        <translation>暂无此类缴费单位：请与云端同步。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="730"/>
        <source>Top-up amount: choose a tile</source>
        <translation>充值金额：请选择面额</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="732"/>
        <source>Amount to pay (the amount due unless changed)</source>
        <translation>缴费金额（默认为应缴金额）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="734"/>
        <source>Amount to pay</source>
        <translation>缴费金额</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="807"/>
        <source>Type the %1 first.</source>
        <translation>请先输入%1。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="870"/>
        <source>(late fee %1 included)</source>
        <translation>（含滞纳金 %1）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="920"/>
        <source>Commission for the shop on success: %1</source>
        <translation>成功后门店佣金：%1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="940"/>
        <source>Offline, and the hub has never sent offline limits: no bill payment can be taken until the network returns.</source>
        <translation>网络不通，且未收到云端的离线限额：网络恢复前不能缴费。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="946"/>
        <source>Offline: at most %1 per payment, %2 left today. It is submitted when the network returns.</source>
        <translation>网络不通：离线单笔最多 %1，今日还可缴 %2。网络恢复后自动提交。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="966"/>
        <source>Offline: no bill payment can be taken until the network returns.</source>
        <translation>网络不通：网络恢复前不能缴费。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="968"/>
        <source>Offline, one payment may be at most %1: wait for the network.</source>
        <translation>网络不通，离线单笔最多 %1：请等网络恢复。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="972"/>
        <source>Offline, only %1 may still be taken today.</source>
        <translation>网络不通，今日离线还可缴 %1。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="993"/>
        <location filename="../../ui/cashier/billpay_page.py" line="996"/>
        <source>Finish this bill payment first.</source>
        <translation>请先完成这笔缴费。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="999"/>
        <source>Close the open dialog first, then scan again.</source>
        <translation>请先关闭打开的对话框，再扫描。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="1035"/>
        <source>Choose the amount.</source>
        <translation>请选择金额。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="1037"/>
        <source>Type the amount.</source>
        <translation>请输入金额。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="1108"/>
        <source>Holder: %1</source>
        <translation>户名：%1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="1188"/>
        <source>Cash is short by %1.</source>
        <translation>现金不足，还差 %1。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="1197"/>
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="1199"/>
        <source>Recording and sending to the biller…</source>
        <translation>正在记录并提交缴费单位…</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="1215"/>
        <location filename="../../ui/cashier/billpay_page.py" line="1223"/>
        <source>Pay by card</source>
        <translation>刷卡支付</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="1217"/>
        <source>Follow the terminal: insert, tap or swipe the card</source>
        <translation>请按刷卡机提示插卡、挥卡或刷卡</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="1223"/>
        <source>Please follow the card terminal</source>
        <translation>请按刷卡机提示操作</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="1083"/>
        <location filename="../../ui/cashier/billpay_page.py" line="1276"/>
        <source>No shift is open: open one on the Shift screen (F3) first.</source>
        <translation>未开班：请先在交班页面（F3）开班。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="1311"/>
        <source>Card payment %1 (ref %2): outcome still unknown.</source>
        <translation>刷卡 %1（参考号 %2）：结果仍未知。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="1331"/>
        <source>reversed — the customer is not charged</source>
        <translation>已撤销，顾客未被扣款</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="1332"/>
        <source>did not go through — the customer is not charged</source>
        <translation>未成功，顾客未被扣款</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="1333"/>
        <source>charged, and recorded</source>
        <translation>已扣款并已记录</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="1337"/>
        <source>outcome still unknown</source>
        <translation>结果仍未知</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="1342"/>
        <source>Still unknown: the terminal did not answer. Check it, then ask again.</source>
        <translation>仍未知：刷卡机没有应答。请检查刷卡机后再次查询。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="1348"/>
        <source>Settled: take the payment again, or cash</source>
        <translation>已处理：请重新刷卡，或收现金</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="1364"/>
        <source>Left unresolved by %1: it is settled before the next card payment.</source>
        <translation>%1 暂不处理：下次刷卡前会先处理这笔。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="1369"/>
        <source>Leaving a payment unresolved needs the owner&apos;s PIN.</source>
        <translation>暂不处理未知支付需要店主密码。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="1389"/>
        <source>The biller confirmed it. Reference: %1</source>
        <translation>缴费单位已确认。流水号：%1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="1397"/>
        <source>Accepted offline: it will be submitted when the network returns. The receipt says 受理中.</source>
        <translation>离线受理：网络恢复后自动提交。小票显示“受理中”。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="1404"/>
        <source>The biller has not answered yet (受理中); the result comes later. Reference: %1</source>
        <translation>缴费单位尚未答复（受理中），结果稍后返回。流水号：%1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="1410"/>
        <source>The biller refused it: %1. The customer is owed a refund.</source>
        <translation>缴费失败：%1。需给顾客退款。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="1415"/>
        <source>Change: %1</source>
        <translation>找零：%1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="1417"/>
        <source>Paid by card %1</source>
        <translation>刷卡支付 %1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="1503"/>
        <source>No bill payments today.</source>
        <translation>今天还没有缴费。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="1507"/>
        <source>Reference: %1</source>
        <translation>流水号：%1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="1512"/>
        <source>Refund %1 to the customer&apos;s %2.</source>
        <translation>需退还顾客 %1（原路退回：%2）。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="1525"/>
        <source>This till has no hub: the result comes when it syncs.</source>
        <translation>本收银台未连接云端：同步后才有结果。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="1545"/>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="1557"/>
        <source>Reprinting bill payment %1.</source>
        <translation>正在重打缴费小票 %1。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="1559"/>
        <source>A failed payment has no receipt: refund it.</source>
        <translation>失败的缴费没有小票：请办理退款。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_page.py" line="1561"/>
        <source>No receipt printer is configured.</source>
        <translation>未设置小票打印机。</translation>
    </message>
</context>
<context>
    <name>BillRefundDialog</name>
    <message>
        <location filename="../../ui/cashier/billpay_refund.py" line="96"/>
        <source>Refund a failed bill payment</source>
        <translation>缴费失败退款</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_refund.py" line="98"/>
        <source>Bill payment %1 failed: give the customer the money back</source>
        <translation>缴费 %1 失败：请把钱退给顾客</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_refund.py" line="104"/>
        <source>The biller said: %1</source>
        <translation>缴费单位答复：%1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_refund.py" line="110"/>
        <source>Back to the card %1 through the terminal.</source>
        <translation>通过刷卡机退回原卡 %1。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_refund.py" line="114"/>
        <source>Refund to the card  Enter</source>
        <translation>退回原卡  Enter</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_refund.py" line="116"/>
        <source>In cash, from the drawer.</source>
        <translation>从钱箱退现金。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_refund.py" line="117"/>
        <source>Refund in cash  Enter</source>
        <translation>退现金  Enter</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_refund.py" line="120"/>
        <source>This is above the refund limit of %1: the owner&apos;s PIN is needed.</source>
        <translation>超过退款限额 %1，需要店主密码。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_refund.py" line="125"/>
        <source>Not now  Esc</source>
        <translation>稍后  Esc</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_refund.py" line="156"/>
        <source>The owner&apos;s PIN is needed to refund %1 (above the limit of %2).</source>
        <translation>退款 %1 超过限额 %2，需要店主密码。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_refund.py" line="184"/>
        <source>Follow the terminal: the card is refunded</source>
        <translation>请按刷卡机提示操作：正在退款到卡</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_refund.py" line="199"/>
        <source>Recording the refund…</source>
        <translation>正在记录退款…</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_refund.py" line="214"/>
        <source>to the card</source>
        <translation>已退回原卡</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_refund.py" line="216"/>
        <source>in cash: give the customer %1 from the drawer</source>
        <translation>退现金：请从钱箱取 %1 给顾客</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_refund.py" line="221"/>
        <source>Refunded %1 of bill payment %2 %3. The slip is printing.</source>
        <translation>缴费 %2 已退款 %1，%3。退款单正在打印。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_refund.py" line="237"/>
        <source>This was paid by card: the refund goes back to the card through the terminal, and no terminal is set up (Devices, F11).</source>
        <translation>这笔是刷卡支付的，需通过刷卡机退回原卡，但未设置刷卡机（设备，F11）。</translation>
    </message>
</context>
<context>
    <name>CartModel</name>
    <message>
        <location filename="../../ui/cashier/sell_cart.py" line="122"/>
        <source>#</source>
        <extracomment>identifies the cart line across operations (the line object&apos;s identity)</extracomment>
        <translation>#</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_cart.py" line="123"/>
        <source>Goods</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_cart.py" line="124"/>
        <source>Qty</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_cart.py" line="125"/>
        <source>Unit price</source>
        <translation>单价</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_cart.py" line="126"/>
        <source>Line total</source>
        <translation>小计</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_cart.py" line="147"/>
        <source>%1 (was %2)</source>
        <translation>%1（原价 %2）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_cart.py" line="161"/>
        <source>Price changed by the owner: %1</source>
        <translation>店主改价：%1</translation>
    </message>
</context>
<context>
    <name>CashierWindow</name>
    <message>
        <location filename="../../ui/cashier/window.py" line="262"/>
        <source>Only the owner can open this screen.</source>
        <extracomment>card / wallet payments of unknown outcome no till is waiting on (the red badge) failed bill payments whose customer is still owed the money (the red refund badge) the customer&apos;s screen, when the shop has one (settings: customer_display) the biller platform (便民缴费) through the hub: the composition root (`run.build`) sets it when the shop is enrolled; None, bill payments are offline-only the unknown-payments dialog while it is open (tests drive it)</extracomment>
        <translation>只有店主可以打开此页面。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="271"/>
        <source>Sign in before scanning.</source>
        <translation>请先登录再扫码。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="391"/>
        <source>Could not start the sync agent: %1</source>
        <translation>无法启动同步程序：%1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="398"/>
        <source>nobody</source>
        <translation>无人</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="399"/>
        <source>Signed in: %1</source>
        <translation>当前用户：%1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="402"/>
        <source>No open shift</source>
        <translation>未开班</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="411"/>
        <source>Shift: %1 since %2</source>
        <translation>当班：%1，%2 开班</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="421"/>
        <source>Waiting to sync: %1</source>
        <translation>待同步：%1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="424"/>
        <source>Refused by the hub: %1</source>
        <translation>被云端拒收：%1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="428"/>
        <source>%1 payments of unknown outcome</source>
        <translation>%1 笔支付结果未知</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="433"/>
        <source>%1 failed bill payments to refund</source>
        <translation>%1 笔缴费失败待退款</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="440"/>
        <source>Devices: none configured</source>
        <translation>设备：未配置</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="445"/>
        <source>No Chinese font installed (fonts-noto-cjk): Chinese shows as boxes</source>
        <translation>未安装中文字体（fonts-noto-cjk）：中文将显示为方框</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="449"/>
        <source>storebox — till</source>
        <translation>storebox — 收银台</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="450"/>
        <source>Lock (F12)</source>
        <translation>锁屏 (F12)</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="452"/>
        <source>Locked</source>
        <translation>已锁屏</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="454"/>
        <source>owner</source>
        <translation>店主</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/window.py" line="454"/>
        <source>cashier</source>
        <translation>收银员</translation>
    </message>
</context>
<context>
    <name>CustomerDisplay</name>
    <message>
        <location filename="../../ui/customer_display.py" line="376"/>
        <source>Customer display</source>
        <extracomment>a QR code&apos;s side on screen, in pixels (phones read it easily from ~40 cm) the bill payment on show for the customer to check (biller, account, holder, amount)</extracomment>
        <translation>顾客显示屏</translation>
    </message>
    <message>
        <location filename="../../ui/customer_display.py" line="377"/>
        <source>Welcome</source>
        <translation>欢迎光临</translation>
    </message>
    <message>
        <location filename="../../ui/customer_display.py" line="378"/>
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../../ui/customer_display.py" line="378"/>
        <source>Qty</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../../ui/customer_display.py" line="378"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../ui/customer_display.py" line="379"/>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/customer_display.py" line="381"/>
        <source>%n item(s)</source>
        <translation>
            <numerusform>共 %n 件</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/customer_display.py" line="382"/>
        <source>Scan the code with your phone to pay</source>
        <translation>请用手机扫码付款</translation>
    </message>
    <message>
        <location filename="../../ui/customer_display.py" line="383"/>
        <source>Please check</source>
        <translation>请核对</translation>
    </message>
    <message>
        <location filename="../../ui/customer_display.py" line="386"/>
        <source>Biller</source>
        <translation>缴费单位</translation>
    </message>
    <message>
        <location filename="../../ui/customer_display.py" line="386"/>
        <source>Account</source>
        <translation>号码</translation>
    </message>
    <message>
        <location filename="../../ui/customer_display.py" line="386"/>
        <source>Holder</source>
        <translation>户名</translation>
    </message>
    <message>
        <location filename="../../ui/customer_display.py" line="391"/>
        <source>Check the account and the amount, then tell the cashier to go on.</source>
        <translation>请核对号码和金额，无误后告诉收银员继续。</translation>
    </message>
    <message>
        <location filename="../../ui/customer_display.py" line="393"/>
        <source>Thank you</source>
        <translation>谢谢惠顾</translation>
    </message>
    <message>
        <location filename="../../ui/customer_display.py" line="395"/>
        <source>Your change: %1</source>
        <translation>找零：%1</translation>
    </message>
</context>
<context>
    <name>Devices</name>
    <message>
        <location filename="../../ui/devices.py" line="366"/>
        <source>Printer: cannot open (%1)</source>
        <extracomment>the pole display&apos;s words for a terminal&apos;s prompt (either language): a pole display has ASCII only and 20 columns, so the customer reads a short English cue there and the full prompt on the terminal, the payment dialog and the customer&apos;s screen. Keywords, not one protocol&apos;s codes.</extracomment>
        <translation>打印机：无法打开（%1）</translation>
    </message>
    <message>
        <location filename="../../ui/devices.py" line="384"/>
        <source>connecting</source>
        <translation>连接中</translation>
    </message>
    <message>
        <location filename="../../ui/devices.py" line="387"/>
        <source>not available</source>
        <translation>不可用</translation>
    </message>
    <message>
        <location filename="../../ui/devices.py" line="390"/>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <location filename="../../ui/devices.py" line="394"/>
        <source>Devices: none configured</source>
        <translation>设备：未配置</translation>
    </message>
    <message>
        <location filename="../../ui/devices.py" line="145"/>
        <location filename="../../ui/devices.py" line="385"/>
        <source>ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../../ui/devices.py" line="136"/>
        <source>Printer</source>
        <extracomment>the printer&apos;s state in the health report&apos;s (untranslated) words</extracomment>
        <translation>打印机</translation>
    </message>
    <message>
        <location filename="../../ui/devices.py" line="137"/>
        <source>Card terminal</source>
        <translation>刷卡终端</translation>
    </message>
    <message>
        <location filename="../../ui/devices.py" line="138"/>
        <source>Scanner</source>
        <translation>扫码枪</translation>
    </message>
    <message>
        <location filename="../../ui/devices.py" line="139"/>
        <source>Pole display</source>
        <translation>客显屏</translation>
    </message>
    <message>
        <location filename="../../ui/devices.py" line="146"/>
        <source>paper nearly out</source>
        <translation>纸将用完</translation>
    </message>
    <message>
        <location filename="../../ui/devices.py" line="147"/>
        <source>out of paper</source>
        <translation>缺纸</translation>
    </message>
    <message>
        <location filename="../../ui/devices.py" line="148"/>
        <source>cover open</source>
        <translation>机盖未关</translation>
    </message>
    <message>
        <location filename="../../ui/devices.py" line="149"/>
        <source>offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <location filename="../../ui/devices.py" line="150"/>
        <location filename="../../ui/devices.py" line="386"/>
        <source>status unknown</source>
        <translation>状态未知</translation>
    </message>
    <message>
        <location filename="../../ui/devices.py" line="371"/>
        <source>Printer: %1</source>
        <translation>打印机：%1</translation>
    </message>
    <message>
        <location filename="../../ui/devices.py" line="375"/>
        <source>%1 waiting to print</source>
        <translation>%1 张待打印</translation>
    </message>
</context>
<context>
    <name>DevicesPage</name>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="174"/>
        <location filename="../../ui/cashier/devices_page.py" line="461"/>
        <source>Devices</source>
        <extracomment>the customer&apos;s screen: not a URL but a mode (settings: customer_display)</extracomment>
        <translation>设备</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="219"/>
        <location filename="../../ui/cashier/devices_page.py" line="261"/>
        <source>Off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="220"/>
        <source>On: a second window for the customer</source>
        <translation>开启：给顾客看的第二个窗口</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="261"/>
        <source>On</source>
        <translation>开启</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="266"/>
        <location filename="../../ui/cashier/devices_page.py" line="270"/>
        <source>Not set up</source>
        <translation>未设置</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="271"/>
        <source>Connecting…</source>
        <translation>连接中…</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="272"/>
        <location filename="../../ui/cashier/devices_page.py" line="280"/>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="273"/>
        <location filename="../../ui/cashier/devices_page.py" line="285"/>
        <source>Connected; it does not report its state</source>
        <translation>已连接；设备不报告状态</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="274"/>
        <source>Not available</source>
        <translation>不可用</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="281"/>
        <source>Ready; paper nearly out</source>
        <translation>就绪；纸快用完</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="282"/>
        <source>Out of paper</source>
        <translation>缺纸</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="283"/>
        <source>Cover open</source>
        <translation>机盖打开</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="284"/>
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="293"/>
        <source>Last code read: %1</source>
        <translation>最近读到的码：%1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="295"/>
        <source>Scan a code: it shows here.</source>
        <translation>扫一个码，会显示在这里。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="333"/>
        <source>Not a printer address: %1</source>
        <translation>不是打印机地址：%1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="345"/>
        <location filename="../../ui/cashier/devices_page.py" line="467"/>
        <source>This till has no config file to save to.</source>
        <translation>本收银台没有可保存的配置文件。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="373"/>
        <source>Saved; in use now.</source>
        <translation>已保存，立即生效。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="377"/>
        <source>%1 is set and overrides this when storebox starts again.</source>
        <translation>已设置环境变量 %1，下次启动 storebox 时会覆盖此设置。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="380"/>
        <source>%1: saved</source>
        <translation>%1：已保存</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="394"/>
        <source>Not set up: choose an address and save it first.</source>
        <translation>未设置：请先选择地址并保存。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="391"/>
        <source>Save the new address first, then test it.</source>
        <translation>请先保存新地址，再测试。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="396"/>
        <source>Testing…</source>
        <translation>测试中…</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="411"/>
        <location filename="../../ui/cashier/devices_page.py" line="430"/>
        <location filename="../../ui/cashier/devices_page.py" line="434"/>
        <source>Test failed: %1</source>
        <translation>测试失败：%1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="418"/>
        <source>Test page sent. The printer says: %1</source>
        <translation>测试页已发送。打印机状态：%1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="425"/>
        <source>The terminal answered: registered, status enquiry answered.</source>
        <translation>终端已应答：登记成功，状态查询已回复。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="427"/>
        <source>Terminal ID %1</source>
        <translation>终端号 %1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="432"/>
        <source>The scanner&apos;s port was opened again; scan a code now.</source>
        <translation>扫码枪端口已重新打开，请扫一个码。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="436"/>
        <source>A test line is on the pole display.</source>
        <translation>客显屏上已显示测试行。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="443"/>
        <source>The customer&apos;s screen is off: turn it on and save first.</source>
        <translation>顾客屏已关闭：请先开启并保存。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="447"/>
        <source>Test line</source>
        <translation>测试行</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="449"/>
        <source>A test line is on the customer&apos;s screen for 5 seconds.</source>
        <translation>顾客屏上显示测试行 5 秒。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="455"/>
        <source>Scanned here: %1</source>
        <translation>在此扫到：%1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="462"/>
        <source>Look for devices again</source>
        <translation>重新查找设备</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="465"/>
        <source>Addresses are saved to %1 and used at once.</source>
        <translation>地址保存到 %1，立即生效。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="470"/>
        <source>Receipt printer</source>
        <translation>小票打印机</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="471"/>
        <source>Card terminal</source>
        <translation>刷卡终端</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="472"/>
        <source>Serial scanner</source>
        <translation>串口扫码枪</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="473"/>
        <source>Pole display</source>
        <translation>客显屏</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="474"/>
        <source>Customer&apos;s screen</source>
        <translation>顾客屏</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="478"/>
        <source>usb://VID:PID, tcp://HOST:9100, serial:///dev/ttyUSB0, file:///dev/usb/lp0, png:FOLDER</source>
        <translation>usb://VID:PID、tcp://主机:9100、serial:///dev/ttyUSB0、file:///dev/usb/lp0、png:文件夹</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="480"/>
        <source>a serial port (/dev/ttyUSB0) or tcp://HOST:20007 (ZVT)</source>
        <translation>串口（/dev/ttyUSB0）或 tcp://主机:20007（ZVT）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="481"/>
        <source>a serial port, e.g. /dev/ttyACM0</source>
        <translation>串口，例如 /dev/ttyACM0</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="482"/>
        <source>a serial port, e.g. /dev/ttyUSB1</source>
        <translation>串口，例如 /dev/ttyUSB1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="486"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="487"/>
        <source>Test</source>
        <translation>测试</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/devices_page.py" line="492"/>
        <source>None. Type an address: %1</source>
        <translation>无。输入地址：%1</translation>
    </message>
</context>
<context>
    <name>HistoryPage</name>
    <message>
        <location filename="../../ui/cashier/history_page.py" line="140"/>
        <source>History</source>
        <translation>销售记录</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/history_page.py" line="229"/>
        <source>No sales on %1.</source>
        <translation>%1 没有销售。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/history_page.py" line="233"/>
        <source>%1 sales · %2 · refunded %3</source>
        <translation>%1 笔销售 · %2 · 已退 %3</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/history_page.py" line="246"/>
        <source>Choose a sale to see its items.</source>
        <translation>选择一笔销售查看明细。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/history_page.py" line="249"/>
        <source>Sale %1 · %2 · %3</source>
        <translation>销售单 %1 · %2 · %3</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/history_page.py" line="255"/>
        <source>refunds %1</source>
        <translation>退货单 %1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/history_page.py" line="260"/>
        <source>price changed: %1</source>
        <translation>改价：%1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/history_page.py" line="273"/>
        <source>Sales history</source>
        <translation>销售记录</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/history_page.py" line="274"/>
        <source>◀ Previous day</source>
        <translation>◀ 前一天</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/history_page.py" line="275"/>
        <source>Next day ▶</source>
        <translation>后一天 ▶</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/history_page.py" line="276"/>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/history_page.py" line="277"/>
        <source>Refund…</source>
        <translation>退货…</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/history_page.py" line="280"/>
        <source>Number</source>
        <translation>单号</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/history_page.py" line="281"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/history_page.py" line="282"/>
        <source>Cashier</source>
        <translation>收银员</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/history_page.py" line="283"/>
        <source>Items</source>
        <translation>件数</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/history_page.py" line="284"/>
        <source>Total</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/history_page.py" line="285"/>
        <source>Paid with</source>
        <translation>付款方式</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/history_page.py" line="286"/>
        <location filename="../../ui/cashier/history_page.py" line="296"/>
        <source>Refunded</source>
        <translation>已退</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/history_page.py" line="291"/>
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/history_page.py" line="292"/>
        <source>Barcode</source>
        <translation>条码</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/history_page.py" line="293"/>
        <source>Qty</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/history_page.py" line="294"/>
        <source>Price</source>
        <translation>单价</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/history_page.py" line="295"/>
        <source>Line total</source>
        <translation>小计</translation>
    </message>
</context>
<context>
    <name>OwnerPinDialog</name>
    <message>
        <location filename="../../ui/cashier/signin.py" line="122"/>
        <source>Owner approval</source>
        <translation>店主授权</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/signin.py" line="135"/>
        <source>Cancel (Esc)</source>
        <translation>取消 (Esc)</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/signin.py" line="147"/>
        <source>This shop has no owner account.</source>
        <translation>本店没有店主账号。</translation>
    </message>
</context>
<context>
    <name>PayCashDialog</name>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="262"/>
        <source>Take payment</source>
        <extracomment>the notes a customer hands over most choosing the tender: cash typed in, the card button, a wallet code scanned a card or wallet payment is under way (the terminal&apos;s prompts shown) the outcome is not known: nothing else may happen until it is resolved resolving (or resolved): what became of the unknown payment</extracomment>
        <translation>收款</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="263"/>
        <source>To pay</source>
        <translation>应收</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="264"/>
        <source>Cash given</source>
        <translation>实收</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="265"/>
        <source>Exact</source>
        <translation>正好</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="268"/>
        <source>Less than the total</source>
        <translation>不够付合计</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="270"/>
        <source>The customer gives %1</source>
        <translation>顾客付 %1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="271"/>
        <source>Take cash  Enter</source>
        <translation>收款  Enter</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="272"/>
        <source>Cancel  Esc</source>
        <translation>取消  Esc</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="273"/>
        <source>Wallet: scan the customer&apos;s payment code now</source>
        <translation>扫码支付：现在扫顾客的付款码</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="275"/>
        <source>No card terminal is set up (Devices, F11)</source>
        <translation>未设置刷卡终端（设备，F11）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="279"/>
        <location filename="../../ui/cashier/sell_dialogs.py" line="385"/>
        <source>Cancel on the terminal</source>
        <translation>在终端上取消</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="281"/>
        <source>Ask the terminal again</source>
        <translation>再次查询终端</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="282"/>
        <source>Leave it unresolved (owner&apos;s PIN)</source>
        <translation>暂不处理（需店主密码）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="283"/>
        <source>Back to payment</source>
        <translation>返回收款</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="301"/>
        <location filename="../../ui/cashier/sell_dialogs.py" line="305"/>
        <source>Change</source>
        <translation>找零</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="309"/>
        <source>Still to pay</source>
        <translation>还差</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="317"/>
        <source>Card for the rest %1  Ctrl+K</source>
        <translation>余额刷卡 %1  Ctrl+K</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="320"/>
        <source>Card %1  Ctrl+K</source>
        <translation>刷卡 %1  Ctrl+K</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="321"/>
        <source>Shop&apos;s QR code %1</source>
        <translation>扫码付 %1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="328"/>
        <source>Type the amount of cash the customer gave.</source>
        <translation>请输入顾客付的现金金额。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="336"/>
        <source>No card terminal is set up: take cash or a wallet code.</source>
        <translation>未设置刷卡终端：请收现金或扫付款码。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="277"/>
        <location filename="../../ui/cashier/sell_dialogs.py" line="350"/>
        <source>Cancel the code</source>
        <translation>取消收款码</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="382"/>
        <source>Please wait: the customer pays on the device.</source>
        <translation>请稍候：顾客正在设备上付款。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="396"/>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="404"/>
        <source>Payment unknown</source>
        <translation>支付结果未知</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="406"/>
        <source>Do not hand over the goods and do not take the money again yet.</source>
        <translation>先不要交付商品，也不要重复收款。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="419"/>
        <source>Asking what became of the payment…</source>
        <translation>正在查询这笔付款的结果…</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="430"/>
        <source>Take the payment again, or another tender.</source>
        <translation>请重新收款，或换一种付款方式。</translation>
    </message>
</context>
<context>
    <name>PriceDialog</name>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="594"/>
        <source>Change the price</source>
        <translation>改价</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="596"/>
        <source>List price %1 · approved by %2</source>
        <translation>原价 %1 · 批准人 %2</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="600"/>
        <source>New unit price</source>
        <translation>新单价</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="601"/>
        <source>Reason (required)</source>
        <translation>原因（必填）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="604"/>
        <source>Damaged packaging</source>
        <translation>包装破损</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="605"/>
        <source>Near its date</source>
        <translation>临期</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="606"/>
        <source>Shelf label shows less</source>
        <translation>价签标价更低</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="607"/>
        <source>Regular customer</source>
        <translation>老顾客</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="610"/>
        <source>Change the price  Enter</source>
        <translation>确认改价  Enter</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="611"/>
        <source>Cancel  Esc</source>
        <translation>取消  Esc</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="621"/>
        <source>Type the new price.</source>
        <translation>请输入新价格。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="625"/>
        <source>Say why the price changes.</source>
        <translation>请填写改价原因。</translation>
    </message>
</context>
<context>
    <name>ProductsModel</name>
    <message>
        <location filename="../../ui/cashier/products_model.py" line="133"/>
        <source>Name</source>
        <extracomment>Rows fetched per step of the plain list. Hits of one search (the core&apos;s limit is 200). a scanned code whose product is shown on its own (rows supplied, nothing is run) the Query whose rows are now in the model (after a reset) more rows were appended to the plain list more rows exist than are shown: the list has pages to fetch, or a search was cut off counts resets, so a page that arrives after the query changed is dropped</extracomment>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_model.py" line="134"/>
        <source>Barcode</source>
        <translation>条码</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_model.py" line="135"/>
        <source>Category</source>
        <translation>分类</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_model.py" line="136"/>
        <source>Price</source>
        <translation>售价</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_model.py" line="137"/>
        <source>Stock</source>
        <translation>库存</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_model.py" line="138"/>
        <source>Reorder</source>
        <translation>补货线</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_model.py" line="169"/>
        <source>Not on sale (inactive)</source>
        <translation>已停售</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_model.py" line="171"/>
        <source>At or below its reorder level</source>
        <translation>库存已到补货线</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_model.py" line="178"/>
        <source>%1 (inactive)</source>
        <translation>%1（已停售）</translation>
    </message>
</context>
<context>
    <name>ProductsPage</name>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="465"/>
        <location filename="../../ui/cashier/products_page.py" line="468"/>
        <source>Products</source>
        <extracomment>what the stock controls do: goods arrived (anyone), a correction ± (owner), a count (owner) the product in the form; None while a new one is being written the screen is moving the selection itself: not a product being chosen</extracomment>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="469"/>
        <source>Search: barcode, name or pinyin initials (Ctrl+F)</source>
        <translation>搜索：条码、名称或拼音首字母（Ctrl+F）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="470"/>
        <source>All goods</source>
        <translation>全部商品</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="471"/>
        <source>Low stock</source>
        <translation>库存不足</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="474"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="475"/>
        <source>Barcodes</source>
        <translation>条码</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="476"/>
        <source>Shop codes</source>
        <translation>店内码</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="477"/>
        <source>Category</source>
        <translation>分类</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="478"/>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="479"/>
        <source>Price ¥</source>
        <translation>售价 ¥</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="480"/>
        <source>Cost ¥</source>
        <translation>进价 ¥</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="481"/>
        <source>Reorder at</source>
        <translation>补货线</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="482"/>
        <source>Opening stock</source>
        <translation>初始库存</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="483"/>
        <source>Mall SKU</source>
        <translation>商城编码</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="484"/>
        <source>On sale</source>
        <translation>在售</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="488"/>
        <source>EAN-13 / EAN-8 / UPC-A; scan or type</source>
        <translation>EAN-13 / EAN-8 / UPC-A，扫码或输入</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="489"/>
        <source>the shop&apos;s own codes; empty: one is made</source>
        <translation>店内自编码；留空则自动生成</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="492"/>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="493"/>
        <source>New product (Ctrl+N)</source>
        <translation>新商品（Ctrl+N）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="494"/>
        <source>Save (Ctrl+S)</source>
        <translation>保存（Ctrl+S）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="495"/>
        <source>Receive goods</source>
        <translation>到货</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="496"/>
        <source>Correct</source>
        <translation>调整</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="497"/>
        <source>Count</source>
        <translation>盘点</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="505"/>
        <source>New product</source>
        <translation>新商品</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="510"/>
        <source>In stock: %1 %2 · reorder at %3</source>
        <translation>库存：%1 %2 · 补货线 %3</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="524"/>
        <source>Loading …</source>
        <translation>加载中……</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="526"/>
        <source>Scanned %1</source>
        <translation>扫码 %1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="529"/>
        <source>%1 products at or below their reorder level</source>
        <translation>%1 种商品库存已到补货线</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="531"/>
        <source>Nothing is low on stock.</source>
        <translation>没有库存不足的商品。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="535"/>
        <source>Nothing found for “%1”.</source>
        <translation>没有找到“%1”。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="537"/>
        <source>The best %1 matches for “%2”; type more to narrow them</source>
        <translation>“%2”的前 %1 个最佳结果；多输入几个字可缩小范围</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="539"/>
        <source>%1 found for “%2”</source>
        <translation>“%2”：找到 %1 种</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="542"/>
        <source>No products yet: add one with New product (Ctrl+N).</source>
        <translation>还没有商品：用“新商品（Ctrl+N）”添加。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="544"/>
        <source>The first %1 products by pinyin; scroll for more</source>
        <translation>按拼音排序的前 %1 种商品；向下滚动查看更多</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="548"/>
        <source>%1 products</source>
        <translation>%1 种商品</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="576"/>
        <source>All categories</source>
        <translation>全部分类</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="667"/>
        <source>Unsaved changes</source>
        <translation>未保存的修改</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="668"/>
        <source>Drop what you typed into the form?</source>
        <translation>放弃表单里输入的内容？</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="778"/>
        <source>The owner&apos;s PIN is needed to add a product.</source>
        <translation>添加商品需要店主密码。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="780"/>
        <source>The owner&apos;s PIN is needed to change a product.</source>
        <translation>修改商品需要店主密码。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="818"/>
        <source>Added %1 (barcode %2)</source>
        <translation>已添加 %1（条码 %2）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="823"/>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="851"/>
        <source>How many arrived</source>
        <translation>到货数量</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="852"/>
        <source>note: supplier, delivery (optional)</source>
        <translation>备注：供应商、送货（可选）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="853"/>
        <source>Receive</source>
        <translation>入库</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="856"/>
        <source>How many more (+) or fewer (−) there really are</source>
        <translation>实际多出（+）或短少（−）的数量</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="857"/>
        <source>reason (required): broken, expired …</source>
        <translation>原因（必填）：破损、过期……</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="858"/>
        <source>Correct (owner)</source>
        <translation>调整（店主）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="861"/>
        <source>How many are on the shelf</source>
        <translation>货架上的实际数量</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="862"/>
        <source>reason (required): stock-take …</source>
        <translation>原因（必填）：盘点……</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="863"/>
        <source>Set count (owner)</source>
        <translation>按盘点设定（店主）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="876"/>
        <source>Received %1 of %2</source>
        <translation>%2 到货 %1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="892"/>
        <source>Stock of %2 set to the count: %1</source>
        <translation>%2 库存已按盘点设为 %1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="894"/>
        <source>Stock of %2 corrected by %1</source>
        <translation>%2 库存已调整 %1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="902"/>
        <source>The owner&apos;s PIN is needed to correct stock.</source>
        <translation>调整库存需要店主密码。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/products_page.py" line="940"/>
        <source>No product has the code %1. Fill in the rest to add it.</source>
        <translation>没有条码为 %1 的商品。填写其余信息即可添加。</translation>
    </message>
</context>
<context>
    <name>QtyDialog</name>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="497"/>
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="498"/>
        <source>OK</source>
        <translation>确定</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="499"/>
        <source>Cancel  Esc</source>
        <translation>取消  Esc</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="507"/>
        <source>A whole number from 1 to 9999.</source>
        <translation>请输入 1 到 9999 的整数。</translation>
    </message>
</context>
<context>
    <name>ReconcilePage</name>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="229"/>
        <source>Reconcile</source>
        <extracomment>the differences table&apos;s columns the result shown (`Reconciliation.as_dict()`, as stored), None before any run why parts of a run were not checked, per day, as said by the runs of this session the bill-payment part of this session&apos;s runs, per day (not stored) the totals grid as (tender, shop, other side) texts, as last drawn (tests read it)</extracomment>
        <translation>对账</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="272"/>
        <source>Close the terminal&apos;s batch?</source>
        <translation>关闭刷卡终端的批次？</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="274"/>
        <source>Reconciling runs the card terminal&apos;s end-of-day (结算): it closes the terminal&apos;s batch for %1 and sends it to the bank. Card payments after it start a new batch. Go on?</source>
        <translation>对账会执行刷卡终端的结算：关闭 %1 的终端批次并上送银行。之后的刷卡交易计入新批次。继续吗？</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="278"/>
        <source>Settle the terminal and reconcile</source>
        <translation>终端结算并对账</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="288"/>
        <source>Fetching the acquirer&apos;s settlement from the hub…</source>
        <translation>正在从云端获取收单对账单…</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="301"/>
        <source>Fetching the bill-payment statement from the hub…</source>
        <translation>正在从云端获取便民缴费对账单…</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="314"/>
        <source>The card terminal is settling its batch…</source>
        <translation>刷卡终端正在结算…</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="320"/>
        <source>Card: no card terminal is set up on this till: card totals not checked.</source>
        <translation>刷卡：本收银台未设置刷卡终端，刷卡合计未核对。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="326"/>
        <source>Card: the terminal was not asked: card totals not checked.</source>
        <translation>刷卡：未询问终端，刷卡合计未核对。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="337"/>
        <source>Matching the day&apos;s payments…</source>
        <translation>正在核对当日收款…</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="372"/>
        <source>Wallet: this shop is not enrolled with a hub: the acquirer was not asked.</source>
        <translation>扫码：本店尚未登记到云端，未向收单方核对。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="433"/>
        <source>Bill payments: the hub&apos;s statement could not be fetched (%1): bill payments not checked. Run it again when the shop is online.</source>
        <translation>便民缴费：无法获取云端对账单（%1）：便民缴费未核对。请在联网后重新对账。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="439"/>
        <source>Wallet: the hub could not be reached (%1): the acquirer&apos;s settlement was not checked. Run it again when the shop is online.</source>
        <translation>扫码：无法连接云端（%1），收单对账单未核对。联网后请再对账一次。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="464"/>
        <location filename="../../ui/screenshots.py" line="220"/>
        <source>Card: the terminal settled its batch but does not report its totals: card totals not checked.</source>
        <translation>刷卡：终端已结算，但未报告合计，刷卡合计未核对。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="482"/>
        <source>Card: the terminal&apos;s end-of-day did not run (%1): card totals not checked.</source>
        <translation>刷卡：终端结算未执行（%1），刷卡合计未核对。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="527"/>
        <source>Reconciled %1: no differences.</source>
        <translation>%1 对账完成：无差异。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="531"/>
        <source>Reconciled %1: %2 differences.</source>
        <translation>%1 对账完成：%2 处差异。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="550"/>
        <location filename="../../ui/cashier/reconcile_page.py" line="817"/>
        <source>Reconciling…</source>
        <translation>正在对账…</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="550"/>
        <location filename="../../ui/cashier/reconcile_page.py" line="817"/>
        <source>Run reconciliation</source>
        <translation>开始对账</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="572"/>
        <source>Not reconciled yet</source>
        <translation>尚未对账</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="576"/>
        <source>No reconciliation has run for %1 on this till.</source>
        <translation>本收银台尚未对 %1 对过账。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="584"/>
        <source>Differences</source>
        <translation>差异</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="585"/>
        <source>Choose the day and run the reconciliation.</source>
        <translation>选择营业日，然后开始对账。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="595"/>
        <source>No differences</source>
        <translation>无差异</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="597"/>
        <source>%1 differences</source>
        <translation>%1 处差异</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="605"/>
        <source>Business day %1 · run at %2</source>
        <translation>营业日 %1 · 对账时间 %2</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="614"/>
        <source>Differences (%1)</source>
        <translation>差异（%1）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="657"/>
        <source>Every payment matched: the shop, the terminal and the acquirer agree.</source>
        <translation>每笔收款都已核对：收银、终端和收单方一致。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="661"/>
        <source>No differences in what could be checked (see the notes).</source>
        <translation>可核对的部分无差异（见提示）。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="670"/>
        <location filename="../../ui/cashier/reconcile_page.py" line="822"/>
        <source>Tender</source>
        <translation>收款方式</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="671"/>
        <location filename="../../ui/cashier/reconcile_page.py" line="823"/>
        <source>The shop</source>
        <translation>收银</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="693"/>
        <location filename="../../ui/cashier/reconcile_page.py" line="786"/>
        <source>Bill payments</source>
        <translation>便民缴费</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="695"/>
        <source>hub: not checked</source>
        <translation>云端：未核对</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="717"/>
        <source>Terminal / acquirer / hub</source>
        <translation>终端 / 收单方 / 云端</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="718"/>
        <location filename="../../ui/cashier/reconcile_page.py" line="824"/>
        <source>Terminal / acquirer</source>
        <translation>终端 / 收单方</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="678"/>
        <source>terminal: not checked</source>
        <translation>终端：未核对</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="684"/>
        <source>acquirer: not checked</source>
        <translation>收单方：未核对</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="727"/>
        <source>%1 paid %2 · commission %3</source>
        <translation>收款 %1 笔 %2 · 佣金 %3</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="739"/>
        <source>shop %1, hub %2</source>
        <translation>本店 %1，云端 %2</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="759"/>
        <source>%1 paid %2</source>
        <translation>收款 %1 笔 %2</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="765"/>
        <source>%1 refunded %2</source>
        <translation>退款 %1 笔 %2</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="780"/>
        <source>Card: the terminal&apos;s totals were not checked.</source>
        <translation>刷卡：终端合计未核对。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="782"/>
        <source>Wallet: the acquirer&apos;s settlement was not checked.</source>
        <translation>扫码：收单对账单未核对。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="790"/>
        <source>in the shop, not at the acquirer</source>
        <translation>收银有、收单无</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="791"/>
        <source>at the acquirer, not in the shop</source>
        <translation>收单有、收银无</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="792"/>
        <source>reversed at the acquirer, paid in the shop</source>
        <translation>收单已撤销、收银记为已付</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="793"/>
        <source>amounts differ</source>
        <translation>金额不符</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="794"/>
        <source>refunded at the acquirer beyond the shop</source>
        <translation>收单退款多于收银</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="795"/>
        <source>the terminal&apos;s count differs</source>
        <translation>终端笔数不符</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="796"/>
        <source>the terminal&apos;s amount differs</source>
        <translation>终端金额不符</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="797"/>
        <source>a card scheme&apos;s total differs</source>
        <translation>卡组织合计不符</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="798"/>
        <source>bill paid in the shop, not at the hub</source>
        <translation>缴费：本店有，云端无此笔</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="799"/>
        <source>bill at the hub, not in the shop</source>
        <translation>缴费：云端有，本店无此笔</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="800"/>
        <source>bill amounts differ</source>
        <translation>缴费金额不符</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="801"/>
        <source>bill statuses differ</source>
        <translation>缴费状态不符</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="802"/>
        <source>bill commissions differ</source>
        <translation>缴费佣金不符</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="812"/>
        <source>Reconciliation (end of day)</source>
        <translation>对账（日终）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="813"/>
        <source>Business day</source>
        <translation>营业日</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="814"/>
        <source>Include the card terminal&apos;s end-of-day</source>
        <translation>包括刷卡终端结算</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="815"/>
        <source>Payments of unknown outcome…</source>
        <translation>支付结果未知…</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="821"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="826"/>
        <source>Reference</source>
        <translation>流水号</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="825"/>
        <source>Sale</source>
        <translation>销售单号</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reconcile_page.py" line="827"/>
        <source>Detail</source>
        <translation>说明</translation>
    </message>
</context>
<context>
    <name>RefundPage</name>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="258"/>
        <location filename="../../ui/cashier/refund_page.py" line="436"/>
        <location filename="../../ui/cashier/refund_page.py" line="627"/>
        <source>Refund</source>
        <translation>退货</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="274"/>
        <source>Finish or cancel this refund first.</source>
        <translation>请先完成或取消当前退货。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="290"/>
        <source>Type the sale number from the receipt, or scan it.</source>
        <translation>请输入小票上的销售单号，或扫描小票。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="362"/>
        <source>Choose what comes back.</source>
        <translation>请选择要退的商品。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="365"/>
        <source>%1 in cash from the drawer</source>
        <translation>从钱箱退现金 %1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="367"/>
        <source>%1 back to the %2</source>
        <translation>%1 退回%2</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="373"/>
        <source>Refund %1: %2</source>
        <translation>退款 %1：%2</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="378"/>
        <source>Refund %1… (Ctrl+Enter)</source>
        <translation>退款 %1… (Ctrl+Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="391"/>
        <source>Choose at least one item to take back.</source>
        <translation>请至少选择一件要退的商品。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="395"/>
        <source>A refund needs a reason: type one or tap a common one.</source>
        <translation>退货需要原因：请输入或点选常用原因。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="401"/>
        <source>Refund %1 for %2 item(s) of sale %3?</source>
        <translation>确认退款 %1？（销售单 %3，共 %2 件）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="407"/>
        <source>Hand back %1 in cash from the drawer.</source>
        <translation>请从钱箱取现金 %1 退给顾客。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="412"/>
        <source>%1 goes back to the customer&apos;s %2.</source>
        <translation>%1 将退回顾客的%2。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="419"/>
        <source>This is above the refund limit of %1: the owner&apos;s PIN is needed next.</source>
        <translation>超过退款限额 %1，接下来需要店主密码。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="429"/>
        <source>The owner&apos;s PIN is needed to refund %1 (above the limit of %2).</source>
        <translation>退款 %1 超过限额 %2，需要店主密码。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="438"/>
        <source>Refund %1</source>
        <translation>退款 %1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="471"/>
        <source>Refund to the card: follow the terminal.</source>
        <translation>退款到银行卡：请按刷卡终端的提示操作。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="473"/>
        <source>Refund to the wallet: asking the hub…</source>
        <translation>退款到钱包：正在询问云端…</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="521"/>
        <source>refunded</source>
        <translation>已全退</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="523"/>
        <source>part</source>
        <translation>部分退</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="549"/>
        <source>No sale chosen</source>
        <translation>未选择销售单</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="553"/>
        <source>Sale %1</source>
        <translation>销售单 %1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="558"/>
        <source>%1 · %2 · total %3 · paid %4</source>
        <translation>%1 · %2 · 合计 %3 · 付款 %4</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="565"/>
        <source>Refunded already: %1 (%2)</source>
        <translation>已退款：%1（%2）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="604"/>
        <source>Everything on this sale has been refunded.</source>
        <translation>此单商品已全部退货。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="611"/>
        <source>Refund %1 recorded: %2 for sale %3.</source>
        <translation>退货单 %1 已记录：销售单 %3 退款 %2。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="615"/>
        <source>%1 went back to the %2.</source>
        <translation>%1 已退回%2。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="621"/>
        <source>Hand back %1 cash</source>
        <translation>退还现金 %1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="624"/>
        <source>No cash to hand back</source>
        <translation>无需退还现金</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="628"/>
        <source>Sale number</source>
        <translation>销售单号</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="629"/>
        <source>e.g. 1125-01-0007, or just 7 for today&apos;s</source>
        <translation>如 1125-01-0007；今天的单只输 7 即可</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="630"/>
        <source>Find (Enter)</source>
        <translation>查找 (Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="631"/>
        <source>or scan the receipt&apos;s barcode</source>
        <translation>或扫描小票条码</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="632"/>
        <source>Today&apos;s sales</source>
        <translation>今日销售</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="634"/>
        <source>Number</source>
        <translation>单号</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="634"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="634"/>
        <source>Total</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="634"/>
        <location filename="../../ui/cashier/refund_page.py" line="645"/>
        <source>Refunded</source>
        <translation>已退</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="636"/>
        <source>No sales yet today.</source>
        <translation>今天还没有销售。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="638"/>
        <source>Type a sale number, scan the receipt, or pick one of today&apos;s sales.</source>
        <translation>输入销售单号、扫描小票，或从今日销售中选择。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="642"/>
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="643"/>
        <source>Price</source>
        <translation>单价</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="644"/>
        <source>Sold</source>
        <translation>售出</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="646"/>
        <source>Can refund</source>
        <translation>可退</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="647"/>
        <source>Take back</source>
        <translation>本次退</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="650"/>
        <source>Everything</source>
        <translation>全部</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="651"/>
        <source>Nothing</source>
        <translation>清空</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="652"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="653"/>
        <source>required</source>
        <translation>必填</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="655"/>
        <source>Damaged</source>
        <translation>破损</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="656"/>
        <source>Expired</source>
        <translation>过期</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="657"/>
        <source>Wrong item</source>
        <translation>拿错商品</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="658"/>
        <source>Changed mind</source>
        <translation>顾客不要了</translation>
    </message>
</context>
<context>
    <name>ReportsPage</name>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="152"/>
        <location filename="../../ui/cashier/reports_page.py" line="392"/>
        <source>Reports</source>
        <extracomment>Fonts whose CJK characters are exactly two Latin columns wide, so the receipt text lines up. (label, value) pairs of a report&apos;s summary why there is no report to show (no open shift, someone else&apos;s shift) the summary as (label, value) pairs, as last drawn (tests read it)</extracomment>
        <translation>报表</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="177"/>
        <source>No shift is open on this till.</source>
        <translation>本机没有未交班的班次。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="190"/>
        <source>The owner&apos;s PIN is needed to see the day (Z) report of %1.</source>
        <translation>查看 %1 的日结（Z）报表需要店主密码。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="206"/>
        <location filename="../../ui/cashier/reports_page.py" line="212"/>
        <source>Close the day</source>
        <translation>日结</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="208"/>
        <source>Close business day %1 (日结)?

Its Z report is frozen: nothing more can be sold, refunded or opened on that day. Every shift of the day must be closed first.</source>
        <translation>确认对营业日 %1 进行日结？

日结后 Z 报表即固定：该日不能再销售、退货或开班。当日所有班次须先交班。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="216"/>
        <source>The owner&apos;s PIN is needed to close business day %1.</source>
        <translation>营业日 %1 日结需要店主密码。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="242"/>
        <source>Business day %1 is closed; its Z report is kept as it is now.</source>
        <translation>营业日 %1 已日结，Z 报表已保存。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="258"/>
        <source>Sales</source>
        <translation>销售笔数</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="259"/>
        <source>Sales total</source>
        <translation>销售金额</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="265"/>
        <source>Net (sales − refunds)</source>
        <translation>净收入（销售 − 退款）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="270"/>
        <source>Refunds</source>
        <translation>退款笔数</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="271"/>
        <source>Refunds total</source>
        <translation>退款金额</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="278"/>
        <source>Voided carts</source>
        <translation>作废单</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="279"/>
        <source>Cash in</source>
        <translation>存入现金</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="280"/>
        <source>Cash out</source>
        <translation>取出现金</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="286"/>
        <location filename="../../ui/cashier/reports_page.py" line="328"/>
        <source>open</source>
        <translation>未交班</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="286"/>
        <source>closed</source>
        <translation>已交班</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="288"/>
        <source>X report · shift of %1 · %2 · since %3</source>
        <translation>X 报表 · %1 的班次 · %2 · %3 开班</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="295"/>
        <source>Float</source>
        <translation>备用金</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="296"/>
        <source>Expected cash</source>
        <translation>应有现金</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="298"/>
        <source>Counted cash</source>
        <translation>实点现金</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="300"/>
        <source>Variance</source>
        <translation>差额</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="305"/>
        <source>closed at %1</source>
        <translation>%1 已日结</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="309"/>
        <source>not closed yet</source>
        <translation>未日结</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="311"/>
        <source>Z report · business day %1 · %2</source>
        <translation>Z 报表 · 营业日 %1 · %2</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="316"/>
        <source>Waiting to sync</source>
        <translation>待同步事件</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="320"/>
        <source>Shifts</source>
        <translation>班次数</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="321"/>
        <source>%1 (%2 still open)</source>
        <translation>%1（%2 个未交班）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="330"/>
        <source>Variance, all shifts</source>
        <translation>差额合计</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="347"/>
        <source>Reading the report…</source>
        <translation>正在读取报表…</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="349"/>
        <source>Choose a day for its Z report (the owner&apos;s).</source>
        <translation>选择日期可查看该日的 Z 报表（店主）。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="384"/>
        <source>The report is on its way to the printer.</source>
        <translation>报表已发送到打印机。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="393"/>
        <source>X report: this shift</source>
        <translation>X 报表：本班次</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="394"/>
        <source>Day</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="395"/>
        <source>Z report of the day</source>
        <translation>当日 Z 报表</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="396"/>
        <source>Close the day (日结)…</source>
        <translation>日结…</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="397"/>
        <source>Print</source>
        <translation>打印</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="399"/>
        <source>Print the report shown on the receipt printer</source>
        <translation>用小票打印机打印当前报表</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/reports_page.py" line="401"/>
        <source>No receipt printer is configured: set printer_url (the drivers issue)</source>
        <translation>未配置小票打印机：请设置 printer_url（见驱动事项）</translation>
    </message>
</context>
<context>
    <name>SearchModel</name>
    <message>
        <location filename="../../ui/cashier/sell_cart.py" line="197"/>
        <source>Goods</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_cart.py" line="197"/>
        <source>Price</source>
        <translation>价格</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_cart.py" line="197"/>
        <source>In stock</source>
        <translation>库存</translation>
    </message>
</context>
<context>
    <name>SellPage</name>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="395"/>
        <source>Sell</source>
        <extracomment>how often the hub is asked whether the shop&apos;s code has been paid the till closes an expired code itself only this long after the hub should have (clocks differ) search-as-you-type waits this long after the last keystroke an all-digit text this long, typed and Entered, is a barcode typed by hand fixed-pitch faces in which a CJK character is exactly two Latin columns wide the text changed while a search was running: run again for the newest text</extracomment>
        <translation>收银</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="399"/>
        <source>Search: name, pinyin initials (nfsq) or barcode — or just scan</source>
        <translation>搜索：商品名、拼音首字母（nfsq）或条码——也可直接扫码</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="402"/>
        <source>Scan or type to add goods</source>
        <translation>扫码或输入以添加商品</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="408"/>
        <source>One less  -</source>
        <translation>减一  -</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="409"/>
        <source>One more  +</source>
        <translation>加一  +</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="410"/>
        <source>Qty  F8</source>
        <translation>数量  F8</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="411"/>
        <source>Price  F10</source>
        <translation>改价  F10</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="412"/>
        <source>Changing a price needs the owner&apos;s PIN</source>
        <translation>改价需要店主密码</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="413"/>
        <source>Remove  Del</source>
        <translation>删除  Del</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="414"/>
        <source>Void  Ctrl+Del</source>
        <translation>作废  Ctrl+Del</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="415"/>
        <location filename="../../ui/cashier/sell_page.py" line="1336"/>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="416"/>
        <source>Pay cash  F9</source>
        <translation>现金收款  F9</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="417"/>
        <source>Card  Ctrl+K</source>
        <translation>刷卡  Ctrl+K</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="418"/>
        <source>Wallet code</source>
        <translation>付款码</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="419"/>
        <source>The total goes to the card terminal</source>
        <translation>合计金额发送到刷卡终端</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="421"/>
        <source>Open the payment, then scan the customer&apos;s payment code (付款码)</source>
        <translation>打开收款，然后扫顾客的付款码</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="424"/>
        <source>Split: type the cash first in the payment (F9), then Card pays the rest.</source>
        <translation>组合付款：先在收款（F9）中输入现金，余额再刷卡。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="537"/>
        <source>A payment is under way: wait for its answer.</source>
        <translation>正在付款：请等待结果。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="1343"/>
        <source>Card</source>
        <translation>刷卡</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="1344"/>
        <source>Wallet</source>
        <translation>扫码支付</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="426"/>
        <location filename="../../ui/cashier/sell_page.py" line="1339"/>
        <source>Change</source>
        <translation>找零</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="427"/>
        <source>Scan the next item to start a new sale.</source>
        <translation>扫描下一件商品即开始新的一单。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="428"/>
        <source>Reprint last (Ctrl+P)</source>
        <translation>重打上一张 (Ctrl+P)</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="429"/>
        <source>Ask the terminal now</source>
        <translation>立即查询终端</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="431"/>
        <source>Refund now</source>
        <translation>立即退款</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="435"/>
        <source>No shift is open, so nothing can be paid yet. Open one on the Shift screen (F3): count the float into the drawer.</source>
        <translation>还没有开班，暂时无法收款。请按 F3 到班次页面开班：把备用金点入钱箱。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="482"/>
        <source>Payment unknown: %1. Do not take it again; it is settled first.</source>
        <translation>支付结果未知：%1。请勿重复收款；下一笔前会先处理它。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="495"/>
        <source>%1 failed bill payments to refund: the customers are owed their money.</source>
        <translation>%1 笔缴费失败待退款：需把钱退还顾客。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="541"/>
        <location filename="../../ui/cashier/sell_page.py" line="597"/>
        <source>Finish or cancel the payment first.</source>
        <translation>请先完成或取消收款。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="552"/>
        <source>Close the open dialog first, then scan again.</source>
        <translation>请先关闭打开的对话框，再重新扫码。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="559"/>
        <source>That is a customer&apos;s payment code, not goods: payment codes are taken at payment.</source>
        <translation>这是顾客的付款码，不是商品：付款码在收款时扫描。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="580"/>
        <source>Unknown barcode %1: no product has this code. Search by name instead.</source>
        <translation>未知条码 %1：没有商品使用此条码。请按名称搜索。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="660"/>
        <source>Items: %1 · lines: %2</source>
        <translation>件数：%1 · 行数：%2</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="665"/>
        <source>No goods yet</source>
        <translation>还没有商品</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="668"/>
        <source>Discount %1 (list %2)</source>
        <translation>优惠 %1（原价合计 %2）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="675"/>
        <source>Prices raised by %1</source>
        <translation>加价 %1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="691"/>
        <source>Choose a line in the cart first.</source>
        <translation>请先在购物车中选择一行。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="700"/>
        <source>The quantity is 1: use Remove (Del) to take the line off.</source>
        <translation>数量已是 1：要去掉这一行请用删除（Del）。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="750"/>
        <source>Changing the price of %1 needs the owner&apos;s PIN.</source>
        <translation>修改 %1 的价格需要店主密码。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="779"/>
        <source>The cart is empty: there is nothing to void.</source>
        <translation>购物车是空的，无需作废。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="800"/>
        <source>Sale voided: nothing was charged.</source>
        <translation>本单已作废：未收取任何费用。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="814"/>
        <source>The cart is empty: scan or search for goods first.</source>
        <translation>购物车是空的：请先扫码或搜索商品。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="846"/>
        <source>Scan the customer&apos;s payment code now.</source>
        <translation>请现在扫顾客的付款码。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="849"/>
        <source>Wallet payments need the hub, and this till has none: take cash or card.</source>
        <translation>扫码支付需要连接云端，本收银台未接入：请收现金或刷卡。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="875"/>
        <source>Card payment %1</source>
        <translation>刷卡 %1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="876"/>
        <source>Wallet payment %1</source>
        <translation>扫码支付 %1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="887"/>
        <location filename="../../ui/cashier/sell_page.py" line="1067"/>
        <location filename="../../ui/cashier/sell_page.py" line="1233"/>
        <source>The cart changed while paying: check the total and take the cash again.</source>
        <translation>收款时购物车有变动：请核对合计后重新收款。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="899"/>
        <source>Follow the terminal: insert, tap or swipe the card</source>
        <translation>请按终端提示插卡、挥卡或刷卡</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="900"/>
        <source>Pay by card</source>
        <translation>刷卡支付</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="902"/>
        <source>User paying: the customer confirms on the phone</source>
        <translation>用户支付中：顾客正在手机上确认</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="903"/>
        <source>Pay by wallet</source>
        <translation>扫码支付</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="926"/>
        <source>Pay by the shop&apos;s QR code</source>
        <translation>扫码付（顾客扫店家码）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="928"/>
        <source>Making the code…</source>
        <translation>正在生成收款码…</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="957"/>
        <source>The customer scans the code with the phone</source>
        <translation>请顾客用手机扫码付款</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="962"/>
        <source>Scan to pay</source>
        <translation>扫码付款</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="994"/>
        <source>The code expired or was closed: nothing was paid.</source>
        <translation>收款码已过期或已关闭：未收到付款。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="1016"/>
        <source>The code was cancelled: nothing was paid.</source>
        <translation>收款码已取消：未收到付款。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="1024"/>
        <source>The hub did not say whether the code was paid.</source>
        <translation>云端没有答复这个码是否已付款。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="1074"/>
        <source>Paid: recording the sale…</source>
        <translation>已付款：正在记录销售…</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="1079"/>
        <source>Please follow the card terminal</source>
        <translation>请按刷卡终端的提示操作</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="1080"/>
        <source>Please confirm the payment on your phone</source>
        <translation>请在手机上确认付款</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="1130"/>
        <source>Checking your payment</source>
        <translation>正在确认您的付款</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="1131"/>
        <source>Please wait a moment</source>
        <translation>请稍候</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="1138"/>
        <source>%1 (ref %2): reversed — the customer is not charged.</source>
        <translation>%1（参考号 %2）：已撤销——顾客未被扣款。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="1139"/>
        <source>%1 (ref %2): did not go through — the customer is not charged.</source>
        <translation>%1（参考号 %2）：未成功——顾客未被扣款。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="1140"/>
        <source>%1 (ref %2): charged, and its sale is recorded.</source>
        <translation>%1（参考号 %2）：已扣款，销售单已记录。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="1143"/>
        <source>%1 (ref %2): outcome still unknown.</source>
        <translation>%1（参考号 %2）：结果仍然未知。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="1170"/>
        <source>Still unknown: the terminal did not answer. Check its cable and power, then ask again.</source>
        <translation>仍然未知：终端没有应答。请检查连线和电源，然后再次查询。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="1179"/>
        <source>Charged: the payment belongs to a recorded sale</source>
        <translation>已扣款：这笔付款属于已记录的销售单</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="1181"/>
        <source>Not charged: the customer paid nothing</source>
        <translation>未扣款：顾客没有付钱</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="1183"/>
        <source>Settled: no payment is open any more</source>
        <translation>已处理：没有未确认的付款了</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="1202"/>
        <source>Left unresolved by %1: it is settled before the next card or wallet payment. Take cash now, or ask again later.</source>
        <translation>%1 暂不处理：下一笔刷卡或扫码前会先处理它。现在请收现金，或稍后再查询。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="1210"/>
        <source>Leaving a payment unresolved needs the owner&apos;s PIN.</source>
        <translation>暂不处理未确认的付款需要店主密码。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="1262"/>
        <source>Sale %1 paid: card %2 charged, auth %3. Change: %4</source>
        <translation>单号 %1 已收款：刷卡 %2，授权码 %3。找零：%4</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="1270"/>
        <source>Sale %1 paid. Change: %2</source>
        <translation>单号 %1 已收款。找零：%2</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="1294"/>
        <source>No receipt to reprint yet.</source>
        <translation>还没有可重打的小票。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="1297"/>
        <source>Reprinting sale %1.</source>
        <translation>正在重打销售单 %1。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="1299"/>
        <source>No receipt printer is configured.</source>
        <translation>未配置小票打印机。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="972"/>
        <location filename="../../ui/cashier/sell_page.py" line="1106"/>
        <location filename="../../ui/cashier/sell_page.py" line="1310"/>
        <source>Something went wrong inside storebox; nothing was sold.</source>
        <translation>storebox 内部出错，本单未成交。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="405"/>
        <source>Enter adds the chosen result · Esc clears the search · F9 cash · Ctrl+K card</source>
        <translation>Enter 添加选中的结果 · Esc 清空搜索 · F9 现金 · Ctrl+K 刷卡</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="1328"/>
        <source>Paid · sale %1 · total %2</source>
        <translation>已收款 · 单号 %1 · 合计 %2</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="1334"/>
        <source>Sale No.</source>
        <translation>单号</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="1335"/>
        <source>Cashier</source>
        <translation>收银员</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="1337"/>
        <source>Discount</source>
        <translation>优惠</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="1338"/>
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="1340"/>
        <source>Paid</source>
        <translation>已付</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="1341"/>
        <source>list price %1</source>
        <translation>原价 %1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="1342"/>
        <source>Thank you!</source>
        <translation>谢谢惠顾！</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="1345"/>
        <source>Auth code</source>
        <translation>授权码</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="1346"/>
        <source>Terminal</source>
        <translation>终端</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="1347"/>
        <source>Voucher</source>
        <translation>凭证号</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_page.py" line="1434"/>
        <location filename="../../ui/cashier/sell_page.py" line="1484"/>
        <source>No goods match “%1”.</source>
        <translation>没有与“%1”匹配的商品。</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <location filename="../../ui/cashier/settings_page.py" line="40"/>
        <location filename="../../ui/cashier/settings_page.py" line="54"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/settings_page.py" line="51"/>
        <source>That translation is missing; run ./dev to build it.</source>
        <translation>缺少该语言的翻译文件；请运行 ./dev 生成。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/settings_page.py" line="55"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
</context>
<context>
    <name>ShiftPage</name>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="360"/>
        <location filename="../../ui/cashier/shift_page.py" line="580"/>
        <source>Shift</source>
        <extracomment>the shift this person closed here, shown until the next shift opens a keypad beside each form; each types into the money field that last had focus</extracomment>
        <translation>班次</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="393"/>
        <source>Reading the till&apos;s shift…</source>
        <translation>正在读取本机班次…</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="401"/>
        <source>%1&apos;s shift has been open on this till since %2.
Only %1 or the owner can see its cash or close it.</source>
        <translation>%1 的班次自 %2 起在本机未交班。
只有 %1 或店主可以查看现金或交班。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="414"/>
        <source>Shift of %1 · since %2</source>
        <translation>%1 的班次 · %2 开班</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="429"/>
        <source>Shift of %1 closed at %2</source>
        <translation>%1 的班次已于 %2 交班</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="437"/>
        <source>The drawer is short by %1</source>
        <translation>钱箱短款 %1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="439"/>
        <source>The drawer is over by %1</source>
        <translation>钱箱长款 %1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="441"/>
        <source>The drawer is exact</source>
        <translation>钱箱账实相符</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="492"/>
        <source>Shift open with a float of %1.</source>
        <translation>已开班，备用金 %1。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="503"/>
        <source>Say why the cash goes in or out.</source>
        <translation>请填写存入或取出现金的原因。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="519"/>
        <source>%1 put into the drawer. It should now hold %2.</source>
        <translation>已存入 %1，钱箱现应有 %2。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="521"/>
        <source>%1 taken out of the drawer. It should now hold %2.</source>
        <translation>已取出 %1，钱箱现应有 %2。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="541"/>
        <location filename="../../ui/cashier/shift_page.py" line="548"/>
        <location filename="../../ui/cashier/shift_page.py" line="604"/>
        <source>Close the shift</source>
        <translation>交班</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="543"/>
        <source>Close %1&apos;s shift with %2 counted in the drawer?

This ends the shift: the next sale needs a new shift.</source>
        <translation>确认为 %1 交班？钱箱实点现金 %2。

交班后本班次结束，下一笔销售需要重新开班。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="581"/>
        <source>Open a shift</source>
        <translation>开班</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="583"/>
        <source>Count the float (the change) into the drawer and enter the amount.</source>
        <translation>请清点放入钱箱的备用金（零钱），并输入金额。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="585"/>
        <source>Float counted</source>
        <translation>备用金</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="586"/>
        <source>Open shift (Enter)</source>
        <translation>开班 (Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="588"/>
        <source>Float</source>
        <translation>备用金</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="589"/>
        <source>Sales (all tenders)</source>
        <translation>销售（全部付款方式）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="590"/>
        <source>Cash sales (net of change)</source>
        <translation>现金销售（已扣找零）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="591"/>
        <source>Cash refunds</source>
        <translation>现金退款</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="592"/>
        <location filename="../../ui/cashier/shift_page.py" line="602"/>
        <source>Cash in</source>
        <translation>存入现金</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="593"/>
        <location filename="../../ui/cashier/shift_page.py" line="603"/>
        <source>Cash out</source>
        <translation>取出现金</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="597"/>
        <source>Expected in the drawer</source>
        <translation>钱箱应有</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="598"/>
        <source>Cash in / cash out</source>
        <translation>存入 / 取出现金</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="599"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="600"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="601"/>
        <source>e.g. change from the safe, paid a supplier</source>
        <translation>如：从保险柜补零钱、付供应商货款</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="605"/>
        <source>Cash counted</source>
        <translation>实点现金</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="606"/>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="607"/>
        <source>optional</source>
        <translation>选填</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="608"/>
        <source>Close shift…</source>
        <translation>交班…</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="609"/>
        <source>Expected</source>
        <translation>应有</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="610"/>
        <source>Counted</source>
        <translation>实点</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="611"/>
        <source>Variance</source>
        <translation>差额</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="612"/>
        <source>Open the next shift</source>
        <translation>开下一班</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="614"/>
        <source>OK</source>
        <translation>确定</translation>
    </message>
</context>
<context>
    <name>SignInScreen</name>
    <message>
        <location filename="../../ui/cashier/signin.py" line="66"/>
        <source>Sign in: choose your name and enter your PIN</source>
        <translation>登录：选择您的名字并输入 PIN</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/signin.py" line="67"/>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/signin.py" line="96"/>
        <source>Nobody can sign in yet. Create the owner first: storebox users add --role owner --name NAME</source>
        <translation>还没有可登录的用户。请先创建店主：storebox users add --role owner --name 姓名</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/signin.py" line="108"/>
        <source>Choose your name first.</source>
        <translation>请先选择您的名字。</translation>
    </message>
</context>
<context>
    <name>SyncPage</name>
    <message>
        <location filename="../../ui/cashier/sync_page.py" line="93"/>
        <source>Sync</source>
        <translation>同步</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sync_page.py" line="117"/>
        <source>The sync agent is starting.</source>
        <translation>同步程序正在启动。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sync_page.py" line="132"/>
        <source>not enrolled (storebox enrol --code CODE)</source>
        <translation>未登记（storebox enrol --code 注册码）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sync_page.py" line="134"/>
        <source>not running</source>
        <translation>未运行</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sync_page.py" line="137"/>
        <source>running (pid %1)</source>
        <translation>运行中（进程 %1）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sync_page.py" line="156"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sync_page.py" line="162"/>
        <location filename="../../ui/cashier/sync_page.py" line="216"/>
        <source>Refused by the hub (%1)</source>
        <translation>被云端拒收（%1）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sync_page.py" line="183"/>
        <source>catalogue</source>
        <translation>商品目录</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sync_page.py" line="184"/>
        <source>billers</source>
        <translation>缴费机构</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sync_page.py" line="185"/>
        <source>settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sync_page.py" line="190"/>
        <source>sale</source>
        <translation>销售</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sync_page.py" line="191"/>
        <source>refund</source>
        <translation>退货</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sync_page.py" line="192"/>
        <source>day closed</source>
        <translation>日结</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sync_page.py" line="193"/>
        <source>bill payment</source>
        <translation>缴费</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sync_page.py" line="198"/>
        <source>Sync with the hub</source>
        <translation>与云端同步</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sync_page.py" line="200"/>
        <source>Hub</source>
        <translation>云端</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sync_page.py" line="201"/>
        <source>Connection</source>
        <translation>连接</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sync_page.py" line="202"/>
        <source>Sync agent</source>
        <translation>同步程序</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sync_page.py" line="203"/>
        <source>Last success</source>
        <translation>上次成功</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sync_page.py" line="204"/>
        <source>Waiting to sync</source>
        <translation>待同步</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sync_page.py" line="205"/>
        <source>Mall catalogue</source>
        <translation>商城目录</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sync_page.py" line="206"/>
        <source>Last pulled</source>
        <translation>上次拉取</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sync_page.py" line="207"/>
        <source>Last error</source>
        <translation>上次错误</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sync_page.py" line="211"/>
        <source>Start the sync agent</source>
        <translation>启动同步程序</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sync_page.py" line="213"/>
        <source>Event</source>
        <translation>事件</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sync_page.py" line="213"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sync_page.py" line="213"/>
        <source>The hub&apos;s reason</source>
        <translation>云端给出的原因</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sync_page.py" line="218"/>
        <source>No refused events: everything the hub got, it took.</source>
        <translation>没有被拒收的事件：云端收到的全部已接收。</translation>
    </message>
</context>
<context>
    <name>SyncStatus</name>
    <message>
        <location filename="../../ui/sync_status.py" line="52"/>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <location filename="../../ui/sync_status.py" line="57"/>
        <source>just now</source>
        <translation>刚刚</translation>
    </message>
    <message>
        <location filename="../../ui/sync_status.py" line="59"/>
        <source>%1 min ago</source>
        <translation>%1 分钟前</translation>
    </message>
    <message>
        <location filename="../../ui/sync_status.py" line="63"/>
        <source>%1 h ago</source>
        <translation>%1 小时前</translation>
    </message>
    <message>
        <location filename="../../ui/sync_status.py" line="66"/>
        <source>%1 days ago</source>
        <translation>%1 天前</translation>
    </message>
    <message>
        <location filename="../../ui/sync_status.py" line="85"/>
        <source>not synced yet</source>
        <translation>尚未同步</translation>
    </message>
    <message>
        <location filename="../../ui/sync_status.py" line="86"/>
        <source>Mall catalogue: not synced yet</source>
        <translation>商城目录：尚未同步</translation>
    </message>
    <message>
        <location filename="../../ui/sync_status.py" line="88"/>
        <source>synced %1 (%2 goods)</source>
        <translation>%1同步（%2 种商品）</translation>
    </message>
    <message>
        <location filename="../../ui/sync_status.py" line="90"/>
        <source>Mall catalogue synced %1 (%2 goods)</source>
        <translation>商城目录 %1同步（%2 种商品）</translation>
    </message>
    <message>
        <location filename="../../ui/sync_status.py" line="96"/>
        <source>Sync: …</source>
        <translation>同步：…</translation>
    </message>
    <message>
        <location filename="../../ui/sync_status.py" line="100"/>
        <source>Sync: not enrolled</source>
        <translation>同步：未登记云端</translation>
    </message>
    <message>
        <location filename="../../ui/sync_status.py" line="101"/>
        <source>Run storebox enrol --code CODE with a code from the hub&apos;s operator.</source>
        <translation>请向云端运营方索取注册码，然后运行 storebox enrol --code 注册码。</translation>
    </message>
    <message>
        <location filename="../../ui/sync_status.py" line="108"/>
        <source>Sync: no hub configured</source>
        <translation>同步：未连接云端</translation>
    </message>
    <message>
        <location filename="../../ui/sync_status.py" line="112"/>
        <source>Last synced: %1</source>
        <translation>上次同步：%1</translation>
    </message>
    <message>
        <location filename="../../ui/sync_status.py" line="119"/>
        <source>Last error: %1</source>
        <translation>上次错误：%1</translation>
    </message>
    <message>
        <location filename="../../ui/sync_status.py" line="126"/>
        <source>Offline · sync agent not running</source>
        <translation>离线 · 同步程序未运行</translation>
    </message>
    <message>
        <location filename="../../ui/sync_status.py" line="131"/>
        <source>Sync: starting</source>
        <translation>同步：启动中</translation>
    </message>
    <message>
        <location filename="../../ui/sync_status.py" line="133"/>
        <source>Online</source>
        <translation>在线</translation>
    </message>
    <message>
        <location filename="../../ui/sync_status.py" line="135"/>
        <source>Offline · last synced %1</source>
        <translation>离线 · 上次同步 %1</translation>
    </message>
</context>
<context>
    <name>UnknownPayments</name>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="59"/>
        <source>%1 payments of unknown outcome</source>
        <extracomment>the table&apos;s columns</extracomment>
        <translation>%1 笔支付结果未知</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="80"/>
        <source>ref %1</source>
        <translation>流水 %1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="87"/>
        <source>TID %1</source>
        <translation>终端号 %1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="91"/>
        <source>trace %1</source>
        <translation>凭证号 %1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="97"/>
        <source>after trace %1</source>
        <translation>凭证号 %1 之后</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="103"/>
        <source>receipt %1</source>
        <translation>票据号 %1</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="113"/>
        <source>no answer recorded: the till stopped while paying</source>
        <translation>无应答记录：付款时收银台中断</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="117"/>
        <source>unknown: the reversal was not confirmed</source>
        <translation>未知：撤销未获确认</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="120"/>
        <source>unknown: no final answer</source>
        <translation>未知：没有最终应答</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="125"/>
        <location filename="../../ui/cashier/unknown_payments.py" line="406"/>
        <source>%1 %2 (ref %3)</source>
        <translation>%1 %2（流水 %3）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="130"/>
        <source>%1: reversed — the customer is not charged.</source>
        <translation>%1：已撤销，顾客未被扣款。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="133"/>
        <source>%1: did not go through — the customer is not charged.</source>
        <translation>%1：未成功，顾客未被扣款。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="136"/>
        <source>%1: charged, and its sale is recorded.</source>
        <translation>%1：已扣款，销售已记录。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="139"/>
        <source>%1: the money went through but was not recorded: follow it up.</source>
        <translation>%1：款项已成功但未记录，请跟进。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="142"/>
        <source>%1: still unknown.</source>
        <translation>%1：结果仍然未知。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="258"/>
        <source>%1 refund</source>
        <extracomment>the attempts as last read, in table order references asked about again in this dialog (only those may be settled by hand)</extracomment>
        <translation>%1退款</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="261"/>
        <source>not recorded</source>
        <translation>未记录</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="298"/>
        <source>Something went wrong inside storebox; it has been logged. Nothing was changed.</source>
        <translation>storebox 内部出错，已记录日志。没有做任何更改。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="330"/>
        <source>No terminal or hub to ask: decide with what you found.</source>
        <translation>没有可询问的终端或云端：请根据核实的情况决定。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="339"/>
        <source>Asking the terminal and the acquirer…</source>
        <translation>正在询问终端和收单方…</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="357"/>
        <source>%1: could not be asked (%2).</source>
        <translation>%1：无法询问（%2）。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="373"/>
        <source>Nobody could tell: the terminal or hub gave no answer.</source>
        <translation>无法确定：终端或云端没有应答。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="397"/>
        <source>%1: settled as charged by %2. Give the money back or account for it.</source>
        <translation>%1：已由 %2 确认为已扣款。请退还顾客或入账。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="402"/>
        <source>%1: settled as not charged by %2.</source>
        <translation>%1：已由 %2 确认为未扣款。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="460"/>
        <location filename="../../ui/cashier/unknown_payments.py" line="463"/>
        <source>Payments of unknown outcome</source>
        <translation>支付结果未知</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="466"/>
        <source>The till could not learn whether these card or wallet payments went through. First ask the terminal and the acquirer again. Only if they still cannot tell, check the terminal&apos;s printout or the customer&apos;s bank record and say what happened, with a reason.</source>
        <translation>收银台无法确定这些刷卡或扫码付款是否成功。请先再次询问终端和收单方；若仍无法确定，请核对终端小票或顾客的银行记录，说明实际情况并填写原因。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="476"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="477"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="478"/>
        <source>Tender</source>
        <translation>收款方式</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="479"/>
        <source>Sale</source>
        <translation>销售单号</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="480"/>
        <source>Card</source>
        <translation>卡号</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="481"/>
        <source>Terminal references</source>
        <translation>终端凭证</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="482"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="486"/>
        <source>No payment of unknown outcome: nothing to settle.</source>
        <translation>没有支付结果未知的付款，无需处理。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="491"/>
        <source>Ask the terminal / acquirer again</source>
        <translation>再次询问终端 / 收单方</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="493"/>
        <source>Reason:</source>
        <translation>原因：</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="495"/>
        <source>what you checked (the terminal&apos;s printout, the bank)</source>
        <translation>核实依据（终端小票、银行记录）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="500"/>
        <source>The customer was charged</source>
        <translation>顾客已被扣款</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="503"/>
        <source>The customer was not charged</source>
        <translation>顾客未被扣款</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="505"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/unknown_payments.py" line="523"/>
        <source>Settling payments of unknown outcome needs the owner&apos;s PIN.</source>
        <translation>处理支付结果未知的付款需要店主密码。</translation>
    </message>
</context>
<context>
    <name>VoidDialog</name>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="664"/>
        <source>Void the sale</source>
        <translation>作废本单</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="666"/>
        <source>Void this sale? Items: %1, total %2. Nothing is charged.</source>
        <translation>作废本单？共 %1 件，合计 %2。不会收取任何费用。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="670"/>
        <source>Reason (required)</source>
        <translation>原因（必填）</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="673"/>
        <source>Customer changed their mind</source>
        <translation>顾客不要了</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="674"/>
        <source>Customer left</source>
        <translation>顾客已离开</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="675"/>
        <source>Not enough money</source>
        <translation>顾客钱不够</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="676"/>
        <source>Scanned by mistake</source>
        <translation>扫错了</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="679"/>
        <source>Keep the sale  Esc</source>
        <translation>保留本单  Esc</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="680"/>
        <source>Void the sale  Enter</source>
        <translation>确认作废  Enter</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/sell_dialogs.py" line="684"/>
        <source>Say why the sale is voided.</source>
        <translation>请填写作废原因。</translation>
    </message>
</context>
<context>
    <name>billpay</name>
    <message>
        <location filename="../../ui/cashier/billpay_words.py" line="24"/>
        <source>Electricity</source>
        <translation>电费</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_words.py" line="25"/>
        <source>Water</source>
        <translation>水费</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_words.py" line="26"/>
        <source>Gas</source>
        <translation>燃气费</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_words.py" line="27"/>
        <source>Mobile top-up</source>
        <translation>话费充值</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_words.py" line="28"/>
        <source>Credit-card repayment</source>
        <translation>信用卡还款</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_words.py" line="38"/>
        <source>Refunded</source>
        <translation>已退款</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_words.py" line="39"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_words.py" line="41"/>
        <source>Success</source>
        <translation>成功</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_words.py" line="42"/>
        <source>Processing</source>
        <translation>受理中</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_words.py" line="47"/>
        <source>card</source>
        <translation>刷卡</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_words.py" line="49"/>
        <source>cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_words.py" line="59"/>
        <source>%1 by the number&apos;s segment. A number moved to another carrier may differ: ask the customer.</source>
        <translation>按号段识别为%1。携号转网的号码可能不同，请向顾客确认。</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_words.py" line="67"/>
        <source>posted at once</source>
        <translation>实时到账</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_words.py" line="69"/>
        <source>posted next working day</source>
        <translation>次个工作日到账</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_words.py" line="72"/>
        <source>%1 credit card, %2</source>
        <translation>%1信用卡，%2</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/billpay_words.py" line="86"/>
        <source>%1 debit card: not a credit card</source>
        <translation>%1借记卡：不是信用卡</translation>
    </message>
</context>
<context>
    <name>confirm</name>
    <message>
        <location filename="../../ui/cashier/shift_page.py" line="67"/>
        <source>Cancel (Esc)</source>
        <extracomment>the question being asked, while it is open (tests answer it)</extracomment>
        <translation>取消 (Esc)</translation>
    </message>
</context>
<context>
    <name>ops</name>
    <message>
        <location filename="../../ui/cashier/billpay_words.py" line="95"/>
        <location filename="../../ui/ops.py" line="92"/>
        <source>Something went wrong inside storebox; it has been logged. Nothing was changed.</source>
        <extracomment>number of operations waiting or running; tests wait for it to reach 0</extracomment>
        <translation>系统内部出错，已记录日志，未做任何更改。</translation>
    </message>
</context>
<context>
    <name>tenders</name>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="57"/>
        <source>cash</source>
        <extracomment>What a sale number looks like on a receipt: MMDD-till-sequence (sales.sale_number). A sale&apos;s id (a QR code on a receipt may carry it).</extracomment>
        <translation>现金</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="58"/>
        <source>card</source>
        <translation>银行卡</translation>
    </message>
    <message>
        <location filename="../../ui/cashier/refund_page.py" line="59"/>
        <source>wallet</source>
        <translation>扫码支付</translation>
    </message>
</context>
</TS>
